import * as hdr from "hdr-histogram-js";
import { readFileSync } from "node:fs";
for (const f of process.argv.slice(2)) {
  const d = JSON.parse(readFileSync(f, "utf8"));
  const h = hdr.decodeFromCompressedBase64(d.histograms.e2e.encoded);
  console.log(f.split("/").pop(), d.requests, "p50", h.getValueAtPercentile(50)/1000, "p99", h.getValueAtPercentile(99)/1000, "max", h.maxValue/1000, "peakInFlight", d.peakInFlight);
}
