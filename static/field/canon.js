// Canonical JSON and SHA-256, exactly as the server computes the findings hash (docs/field-api.md §Findings hash):
// json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False), UTF-8, SHA-256 hex.
export function canonical(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error("不能编码的数值");
    if (value === undefined) return "null";
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
}

export async function sha256Hex(data) {
  let bytes = data;
  if (typeof data === "string") bytes = new TextEncoder().encode(data);
  else if (data instanceof Blob) bytes = await data.arrayBuffer();
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function findingsHash(findings, codes) {
  return sha256Hex(canonical({ findings, result_codes: [...codes].sort() }));
}

// The short code the legal representative sees beside the signature: the hash's first 8 hex, grouped.
export const shortCode = (hash) => (hash ? `${hash.slice(0, 4)}-${hash.slice(4, 8)}`.toUpperCase() : "");
