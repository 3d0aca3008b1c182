/**
 * Just enough XML writing for junit.xml: escaping that keeps the document well-formed whatever a
 * check name or a mesh CLI's error contains, and an element builder. A library would add a
 * dependency for what fits in one screen.
 */

/**
 * Characters XML 1.0 forbids outright (most C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot
 * be escaped, only replaced: a stray byte from a pod log must not make CI reject the file.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(text: string): string {
  return text.replace(FORBIDDEN, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Attribute values also escape quotes, and line breaks (attribute normalisation would fold them). */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

export type Attributes = Record<string, string | number | undefined>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join("");
}

/** An element with escaped attributes; `children` are already-built elements or escaped text. */
export function element(name: string, attrs: Attributes, children: string[] = []): string {
  if (children.length === 0) return `<${name}${attributes(attrs)}/>`;
  return `<${name}${attributes(attrs)}>${children.join("")}</${name}>`;
}

/** Indent a list of child elements under their parent, for a human reading the artifact. */
export function block(name: string, attrs: Attributes, children: string[], indent: string): string {
  if (children.length === 0) return `${indent}<${name}${attributes(attrs)}/>`;
  return `${indent}<${name}${attributes(attrs)}>\n${children.join("\n")}\n${indent}</${name}>`;
}
