/**
 * Parse XML strictly (saxes rejects anything not well-formed) into a small tree the JUnit tests
 * can walk. Test-only: the reporter itself writes XML without a library.
 */
import { SaxesParser } from "saxes";

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlNode[] = [root];
  const top = () => stack[stack.length - 1] as XmlNode;
  parser.on("opentag", (tag) => {
    const node: XmlNode = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: "" };
    top().children.push(node);
    stack.push(node);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.on("text", (text) => {
    top().text += text;
  });
  parser.on("error", (err) => {
    throw err;
  });
  parser.write(xml).close();
  const element = root.children[0];
  if (!element || root.children.length !== 1) throw new Error("expected exactly one root element");
  return element;
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}
