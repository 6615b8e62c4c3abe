// What the COSE and did:key interop scripts build by hand, once: CBOR heads
// (RFC 8949 §3), the Sig_structure (RFC 9052 §4.4) and the
// Countersign_structure of a version 2 countersignature on a COSE_Sign1
// (RFC 9338 §3.3, other_fields = [signature]), and did:key's Ed25519 form
// (multicodec 0xed01, base58btc). Independent of vouch: none of it calls it.
const utf8 = (s) => new TextEncoder().encode(s);

export function head(major, n) {
  if (n < 24) return Uint8Array.of((major << 5) | n);
  if (n < 0x100) return Uint8Array.of((major << 5) | 24, n);
  if (n < 0x10000) return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff);
  return Uint8Array.of((major << 5) | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}
export const cat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
export const bstr = (b) => cat(head(2, b.length), b);
export const tstr = (s) => {
  const b = utf8(s);
  return cat(head(3, b.length), b);
};
export const array = (...items) => cat(head(4, items.length), ...items);

export const sigStructure = (bodyProtected, aad, payload) =>
  array(tstr("Signature1"), bstr(bodyProtected), bstr(aad), bstr(payload));
export const countersignStructure = (bodyProtected, signProtected, aad, payload, signature) =>
  array(tstr("CounterSignatureV2"), bstr(bodyProtected), bstr(signProtected), bstr(aad), bstr(payload),
        array(bstr(signature)));

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
export function base58Encode(bytes) {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let s = "";
  while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n; }
  for (const b of bytes) { if (b === 0) s = "1" + s; else break; }
  return s;
}
export function base58Decode(s) {
  let n = 0n;
  for (const c of s) {
    const v = B58.indexOf(c);
    if (v < 0) throw new Error(`bad base58 character ${c}`);
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n & 0xffn)); n >>= 8n; }
  for (const c of s) { if (c === "1") bytes.unshift(0); else break; }
  return Uint8Array.from(bytes);
}
export const didKeyOf = (pub) => `did:key:z${base58Encode(cat(Uint8Array.of(0xed, 0x01), pub))}`;
// The Ed25519 public key of a did:key; throws for anything else.
export function ed25519OfDidKey(did) {
  if (!did.startsWith("did:key:z")) throw new Error(`not a did:key: ${did}`);
  const raw = base58Decode(did.slice("did:key:z".length));
  if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new Error(`not an Ed25519 did:key: ${did}`);
  return raw.slice(2);
}
