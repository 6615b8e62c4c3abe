// Interop: vouch's application/vc+cose form of a host VC (W3C "Securing
// Verifiable Credentials using JOSE and COSE" §3.3; DESIGN §3 "JSON forms
// (W3C)", vc+cose) against an independent stack: cbor-x for CBOR,
// @noble/curves for Ed25519, `canonicalize` for RFC 8785, the Sig_structure
// (RFC 9052 §4.4) and Countersign_structure (RFC 9338 §3.3) built here by
// hand, and the VC 2.0 rules checked here on the JSON payload.
//
//   - `vouch vectors` writes an endorsed VC whose host signed its vc+cose
//     when issuing and whose validators countersigned it when endorsing;
//     `vouch vc export --format vc+cose` of it is the set's vc-cose file,
//     byte for byte.
//   - The host's signature and every countersignature verify on their own;
//     the payload is a VC 2.0 credential in JCS whose evidence embeds the
//     CBOR host VC it renders. An altered payload, header, host signature
//     or countersignature fails here and in `vouch vc verify`.
//   - The other way round: a vc+cose signed here over a VC 2.0 JSON with a
//     did:key issuer, countersigned by another did:key, verifies in `vouch
//     vc verify`, and a tampered one is refused.
//
//   node vc_cose_interop.mjs PATH/TO/vouch
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import canonicalize from "canonicalize";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Decoder, Encoder, Tag } from "cbor-x";

import { check, checks } from "./check.mjs";
import { base58Decode, countersignStructure, didKeyOf, sigStructure } from "./cose_parts.mjs";

const vouch = process.argv[2];
if (!vouch) {
  console.error("usage: vc_cose_interop.mjs VOUCH_BINARY");
  process.exit(2);
}
const run = (args) => spawnSync(vouch, args, { encoding: "utf8" });

const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const cborEncode = (v) => new Uint8Array(encoder.encode(v));
const cborDecode = (u8) => decoder.decode(Buffer.from(u8));
const utf8 = (s) => new TextEncoder().encode(s);
const text = (u8) => Buffer.from(u8).toString("utf8");
const eq = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

const sigStructure1 = (bodyProtected, payload) => sigStructure(bodyProtected, new Uint8Array(), payload);
function detMap(entries) {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(cborEncode(a[0])), Buffer.from(cborEncode(b[0]))));
  return new Map(sorted);
}
const detMapBytes = (entries) => cborEncode(detMap(entries));

function parseSign1(u8, what) {
  const v = cborDecode(u8);
  check(v instanceof Tag && v.tag === 18, `${what}: a COSE_Sign1 tagged 18`);
  check(Array.isArray(v.value) && v.value.length === 4, `${what}: 4-element array`);
  const [prot, unprot, payload, signature] = v.value;
  return { prot: new Uint8Array(prot), protMap: cborDecode(prot), unprot, payload: new Uint8Array(payload),
           signature: new Uint8Array(signature) };
}
const encodeSign1 = (m) => cborEncode(new Tag([m.prot, m.unprot, m.payload, m.signature], 18));
const countersignaturesOf = (m) => m.unprot.get(11) ?? [];
const verifySign1 = (m, pub) => ed25519.verify(m.signature, sigStructure1(m.prot, m.payload), pub);
const verifyCs = (m, cs, pub) =>
  ed25519.verify(new Uint8Array(cs[2]), countersignStructure(m.prot, new Uint8Array(cs[0]), new Uint8Array(), m.payload, m.signature), pub);

function keyOfDid(did) {
  check(did.startsWith("did:key:z"), `${did}: a did:key`);
  const raw = base58Decode(did.slice("did:key:z".length));
  check(raw.length === 34 && raw[0] === 0xed && raw[1] === 0x01, `${did}: an Ed25519 did:key`);
  return raw.slice(2);
}
const newEd = () => { const seed = new Uint8Array(randomBytes(32)); return { seed, pub: ed25519.getPublicKey(seed) }; };

// ---- The VC 2.0 rules on the payload, written here ----
const DATE = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
function checkVc2(doc, what) {
  check(doc && typeof doc === "object" && !Array.isArray(doc), `${what}: a JSON object`);
  check(Array.isArray(doc["@context"]) && doc["@context"][0] === "https://www.w3.org/ns/credentials/v2",
        `${what}: @context starts with the credentials v2 context`);
  check([].concat(doc.type).includes("VerifiableCredential"), `${what}: type VerifiableCredential`);
  check(typeof doc.issuer === "string" && doc.issuer.startsWith("did:key:"), `${what}: issuer is a did:key`);
  check(doc.credentialSubject && typeof doc.credentialSubject === "object", `${what}: has a credentialSubject`);
  check(DATE.test(doc.validFrom) && DATE.test(doc.validUntil), `${what}: validFrom/validUntil are dateTimeStamps`);
  check(Date.parse(doc.validFrom) <= Date.parse(doc.validUntil), `${what}: validFrom <= validUntil`);
  check(!("proof" in doc), `${what}: the payload is the unsecured credential (no proof)`);
}

const W = fs.mkdtempSync(path.join(os.tmpdir(), "vouch-vc-cose-"));
try {
  // ---- 1. vouch's export ----
  let r = run(["vectors", W]);
  check(r.status === 0, `vouch vectors: ${r.stderr}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(W, "manifest.json"), "utf8"));
  const item = manifest.items.find((i) => i.kind === "vc-cose");
  check(item !== undefined, "the vector set has a vc-cose item");
  const file = path.join(W, item.file);
  const bytes = new Uint8Array(fs.readFileSync(file));
  r = spawnSync(vouch, ["vc", "export", path.join(W, "endorsed-vc.cbor"), "--format", "vc+cose", "--out",
                        path.join(W, "again.cbor")]);
  check(r.status === 0, `vouch vc export --format vc+cose: ${r.stderr}`);
  check(eq(new Uint8Array(fs.readFileSync(path.join(W, "again.cbor"))), bytes), "export is the vector file, byte for byte");

  const m = parseSign1(bytes, "vc+cose");
  check(m.protMap.get(1) === -8, "protected alg EdDSA (-8)");
  check(m.protMap.get(16) === "application/vc+cose", "protected typ (16) application/vc+cose");
  check(m.protMap.get(3) === "application/vc", "protected content type (3) application/vc");
  check(text(m.protMap.get(4)) === item.host_did, "protected kid (4) is the host DID");
  check(eq(encodeSign1({ ...m, unprot: detMap([...m.unprot]) }), bytes), "the message is deterministic CBOR");

  const doc = JSON.parse(text(m.payload));
  checkVc2(doc, "payload");
  check(doc.issuer === item.host_did, "issuer is the host DID");
  check(text(m.payload) === canonicalize(doc), "the payload is in JCS (canonicalize)");
  const hostKey = keyOfDid(doc.issuer);
  check(verifySign1(m, hostKey), "the host's vc+cose signature verifies (noble)");
  const list = countersignaturesOf(m);
  check(list.length === item.validator_dids.length, "one countersignature per validator");
  list.forEach((cs, i) => {
    const prot = cborDecode(cs[0]);
    const vdid = text(prot.get(4));
    check(vdid === item.validator_dids[i], `countersignature ${i}: kid is validator ${i}'s DID`);
    check(prot.get(1) === -8 && prot.get("vouch.verdict").get("ok") === true, `countersignature ${i}: EdDSA, verdict ok`);
    check(verifyCs(m, cs, keyOfDid(vdid)), `countersignature ${i} verifies (noble)`);
  });
  // The evidence: the bare CBOR host VC this JSON renders, signed by the issuer.
  const evidence = doc.evidence.find((e) => [].concat(e.type).includes("VouchCoseHostCredential"));
  const bare = new Uint8Array(Buffer.from(evidence.coseSign1, "base64url"));
  check(createHash("sha256").update(bare).digest("hex") === evidence.sha256, "evidence sha256 is the embedded VC's");
  const embedded = parseSign1(bare, "embedded host VC");
  check(embedded.unprot.size === 0, "the embedded host VC is bare");
  check(verifySign1(embedded, hostKey), "the embedded host VC's signature verifies with the issuer's key (noble)");
  const claims = cborDecode(embedded.payload);
  check(claims.get(1) === doc.issuer, "the embedded VC's iss is the credential's issuer");
  check(doc.id === `urn:vouch:vc:${Buffer.from(claims.get(7)).toString("hex")}`, "the credential id names the VC's cti");
  check(doc.credentialSubject.id === `urn:uuid:${claims.get(2)}`, "the subject is the VC's domain");
  r = run(["vc", "verify", file, "--at", doc.validFrom, "--json"]);
  check(r.status === 0, `vouch vc verify accepts its export: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  check(report.format === "vc+cose" && report.verified === true && report.host_vc === true &&
        report.countersignatures.length === list.length, "vouch vc verify --json reports the vc+cose");

  // ---- 2. Tampering fails here and in vouch ----
  const vouchRefuses = (msg, what) => {
    const f = path.join(W, "tampered.cbor");
    fs.writeFileSync(f, encodeSign1(msg));
    const t = run(["vc", "verify", f, "--at", doc.validFrom]);
    check(t.status === 1, `${what}: vouch vc verify refuses (exit ${t.status}: ${t.stdout})`);
  };
  {
    const payload = utf8(text(m.payload).replace('"attestation":"launch"', '"attestation":"lunch!"'));
    check(!eq(payload, m.payload), "payload tampering changed the payload");
    const t = { ...m, payload };
    check(!verifySign1(t, hostKey), "altered payload: the host signature fails (noble)");
    check(list.every((cs, i) => !verifyCs(t, cs, keyOfDid(item.validator_dids[i]))), "altered payload: every countersignature fails (noble)");
    vouchRefuses(t, "altered payload");
  }
  {
    const prot = detMapBytes([...m.protMap].map(([k, v]) => [k, k === 16 ? "application/vc+cosf" : v]));
    const t = { ...m, prot };
    check(!verifySign1(t, hostKey), "altered typ header: the host signature fails (noble)");
    vouchRefuses(t, "altered typ header");
    const prot2 = detMapBytes([...m.protMap, ["vouch.extra", 1]]);
    const t2 = { ...m, prot: prot2 };
    check(!verifySign1(t2, hostKey), "added protected header: the host signature fails (noble)");
    vouchRefuses(t2, "added protected header");
  }
  {
    const signature = Uint8Array.from(m.signature); signature[0] ^= 1;
    const t = { ...m, signature };
    check(!verifySign1(t, hostKey), "altered host signature fails (noble)");
    vouchRefuses(t, "altered host signature");
  }
  list.forEach((cs, i) => {
    const sig = Uint8Array.from(cs[2]); sig[63] ^= 1;
    const altered = list.map((c, j) => (j === i ? [c[0], c[1], sig] : c));
    const t = { ...m, unprot: new Map([[11, altered]]) };
    check(!verifyCs(t, altered[i], keyOfDid(item.validator_dids[i])), `altered countersignature ${i} fails (noble)`);
    vouchRefuses(t, `altered countersignature ${i}`);
    const prot = detMapBytes([...cborDecode(cs[0])].map(([k, v]) =>
      [k, k === "vouch.verdict" ? detMap([...v].map(([a, b]) => [a, a === "at" ? b + 1 : b])) : v]));
    const moved = list.map((c, j) => (j === i ? [prot, c[1], c[2]] : c));
    vouchRefuses({ ...m, unprot: new Map([[11, moved]]) }, `countersignature ${i} with an altered verdict`);
  });

  // ---- 3. Signed here, verified by vouch ----
  const issuer = newEd(), cosigner = newEd();
  const did = didKeyOf(issuer.pub), cosignerDid = didKeyOf(cosigner.pub);
  const credential = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    id: "urn:uuid:2c6a1f0e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
    type: ["VerifiableCredential"],
    issuer: did,
    validFrom: "2025-01-01T00:00:00Z",
    validUntil: "2099-01-01T00:00:00Z",
    credentialSubject: { id: "did:example:subject", name: "Alumni Credential" },
  };
  checkVc2(credential, "node's credential");
  const payload = utf8(JSON.stringify(credential));
  const prot = detMapBytes([[1, -8], [3, "application/vc"], [4, utf8(`${did}#${did.slice("did:key:".length)}`)],
                            [16, "application/vc+cose"]]);
  const signature = ed25519.sign(sigStructure1(prot, payload), issuer.seed);
  const signed = { prot, unprot: new Map(), payload, signature };
  const csProt = detMapBytes([[1, -8], [4, utf8(cosignerDid)]]);
  const cs = [csProt, new Map(), ed25519.sign(countersignStructure(prot, csProt, new Uint8Array(), payload, signature), cosigner.seed)];
  const countersigned = { ...signed, unprot: new Map([[11, [cs]]]) };
  const nodeFile = path.join(W, "node.cbor");
  for (const [msg, what] of [[signed, "node's vc+cose"], [countersigned, "node's countersigned vc+cose"]]) {
    fs.writeFileSync(nodeFile, encodeSign1(msg));
    r = run(["vc", "verify", nodeFile, "--json"]);
    check(r.status === 0, `vouch vc verify accepts ${what}: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    check(out.verified === true && out.issuer === did && out.signature.ok === true, `${what}: vouch reports it verified`);
  }
  check(JSON.parse(r.stdout).countersignatures[0]?.signer === cosignerDid, "vouch names node's countersigner");
  const tamperedPayload = utf8(JSON.stringify({ ...credential, credentialSubject: { ...credential.credentialSubject, name: "Other" } }));
  for (const [msg, what] of [
    [{ ...countersigned, payload: tamperedPayload }, "tampered payload"],
    [{ ...signed, signature: ed25519.sign(sigStructure1(prot, payload), newEd().seed) }, "signed by another key than the issuer's"],
    [{ ...countersigned, unprot: new Map([[11, [[csProt, new Map(), ed25519.sign(utf8("other"), cosigner.seed)]]]]) },
     "bad countersignature"],
  ]) {
    fs.writeFileSync(nodeFile, encodeSign1(msg));
    r = run(["vc", "verify", nodeFile]);
    check(r.status === 1, `vouch vc verify refuses node's vc+cose, ${what}: exit ${r.status}`);
  }
} finally {
  fs.rmSync(W, { recursive: true, force: true });
}
console.log(`vc+cose interop: ${checks()} checks passed`);
