// Interop: vouch's COSE_Sign1 (RFC 9052) and version 2 countersignatures
// (RFC 9338) (core/cose_sign1, core/countersign, via cose_tool) against an
// independent stack: @noble/curves for Ed25519 and P-256, cbor-x for CBOR
// decoding and map encoding, and the Sig_structure / Countersign_structure
// built here by hand from the decoded parts.
//
//   node cose_interop.mjs PATH/TO/cose_tool
//
// Directions: vouch signs and countersigns → node verifies; node signs and
// countersigns (array and single form of label 11) → vouch verifies; mixed
// chains; tampered, moved or non-deterministic messages are refused by both
// (or by vouch where only its stricter format rules apply).
// Exits non-zero with a message on the first mismatch.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { Decoder, Encoder, Tag } from "cbor-x";

const hex = (u8) => Buffer.from(u8).toString("hex");
const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));
const eq = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
const utf8 = (s) => new TextEncoder().encode(s);

import { check, checks } from "./check.mjs";
import { array, bstr, cat, countersignStructure, head, sigStructure, tstr } from "./cose_parts.mjs";

const tool = process.argv[2];
if (!tool || !fs.existsSync(tool)) {
  console.error("usage: node cose_interop.mjs PATH/TO/cose_tool");
  process.exit(2);
}

function run(args) {
  const r = spawnSync(tool, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}
// Runs a command that must succeed; returns its stdout lines.
function ok(args, what) {
  const r = run(args);
  check(r.status === 0, `${what}: cose_tool ${args[0]} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim().split("\n");
}
// Runs a command that must fail with vouch error `code`.
function refused(args, code, what) {
  const r = run(args);
  check(r.status === 1, `${what}: cose_tool ${args[0]} should refuse (exit 1), got ${r.status}: ${r.stdout}`);
  check(r.stderr.startsWith(`${code}:`), `${what}: expected a ${code} refusal, got: ${r.stderr.trim()}`);
  return r.stderr.trim();
}

// ---- CBOR: cbor-x for maps and decoding; the signed structures by hand ----

const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const cborEncode = (v) => new Uint8Array(encoder.encode(v));
const cborDecode = (u8) => decoder.decode(Buffer.from(u8));

// A deterministically encoded map (RFC 8949 §4.2.1): entries sorted by the
// bytewise order of their encoded keys; cbor-x writes shortest heads.
function detMap(entries) {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(cborEncode(a[0])), Buffer.from(cborEncode(b[0]))));
  return new Map(sorted);
}
const detMapBytes = (entries) => cborEncode(detMap(entries));
{
  // Self-check of the helpers against RFC 9052 / cose-wg Examples bytes
  // (eddsa-sig-01 ToBeSign and protected header).
  check(hex(detMapBytes([[3, 0], [1, -8]])) === "a201270300", "detMap orders integer keys");
  check(hex(sigStructure(unhex("a201270300"), new Uint8Array(), utf8("This is the content."))) ===
        "846a5369676e61747572653145a2012703004054546869732069732074686520636f6e74656e742e",
        "hand-built Sig_structure matches the published ToBeSign of eddsa-sig-01");
  check(hex(detMapBytes([["vouch.verdict", 1], [4, 2], [-1, 3]])) === "a3040220036d766f7563682e7665726469637401",
        "detMap orders by encoded key bytes (uint, nint, text)");
}

// Decodes a COSE_Sign1 with cbor-x and checks its shape.
function parseSign1(u8, what) {
  const v = cborDecode(u8);
  check(v instanceof Tag && v.tag === 18, `${what}: tagged 18`);
  check(Array.isArray(v.value) && v.value.length === 4, `${what}: 4-element array`);
  const [prot, unprot, payload, signature] = v.value;
  check(unprot instanceof Map, `${what}: unprotected is a map`);
  return { prot: new Uint8Array(prot), protMap: cborDecode(prot), unprot, payload: new Uint8Array(payload),
           signature: new Uint8Array(signature) };
}
const encodeSign1 = (m) => cborEncode(new Tag([m.prot, m.unprot, m.payload, m.signature], 18));

// Label 11 as a list of [protected, unprotected, signature], either form.
function countersignaturesOf(m) {
  const v = m.unprot.get(11);
  if (v === undefined) return [];
  return Array.isArray(v[0]) ? v : [v];
}

const nodeVerifySign1Ed = (m, pub, aad = new Uint8Array()) =>
  ed25519.verify(m.signature, sigStructure(m.prot, aad, m.payload), pub);
const nodeVerifySign1P256 = (m, pub, aad = new Uint8Array()) =>
  p256.verify(m.signature, sigStructure(m.prot, aad, m.payload), pub, { lowS: false });
const nodeVerifyCs = (m, cs, pub) =>
  cborDecode(cs[0]).get(1) === -8 &&
  ed25519.verify(new Uint8Array(cs[2]), countersignStructure(m.prot, new Uint8Array(cs[0]), new Uint8Array(), m.payload, m.signature), pub);

function nodeCountersign(m, seed, protectedEntries) {
  const signProtected = detMapBytes([[1, -8], ...protectedEntries]);
  const sig = ed25519.sign(countersignStructure(m.prot, signProtected, new Uint8Array(), m.payload, m.signature), seed);
  return [signProtected, new Map(), sig];
}

function nodeSignEd(seed, protectedEntries, unprotectedEntries, payload, aad = new Uint8Array()) {
  const prot = detMapBytes([[1, -8], ...protectedEntries]);
  const signature = ed25519.sign(sigStructure(prot, aad, payload), seed);
  return { prot, unprot: detMap(unprotectedEntries), payload, signature };
}

const newEd = () => {
  const seed = randomBytes(32);
  return { seed: new Uint8Array(seed), pub: ed25519.getPublicKey(seed) };
};
const verdict = (at) => detMap([["ok", true], ["at", at], ["ledger", new Uint8Array(32).fill(1)], ["policy", new Uint8Array(32).fill(2)]]);
const vcPayload = detMapBytes([[1, "did:key:z6Mkhost"], [2, "0b9f6a52-6f7e-4a39-9a0b-4c1d2e3f4a5b"], [6, 1700000000],
                               [7, new Uint8Array(16).fill(7)], ["vouch.type", "launch"]]);

// ---- 1. vouch signs, node verifies ----

const host = newEd();
const hostProtected = [[3, "application/vouch-vc+cbor"], [4, utf8("did:key:z6Mkhost")]];
const vouchVc = unhex(ok(["sign-eddsa", hex(host.seed), hex(vcPayload), hex(detMapBytes(hostProtected)), "a0"],
                         "vouch EdDSA sign")[0]);
{
  const m = parseSign1(vouchVc, "vouch EdDSA COSE_Sign1");
  check(m.protMap.get(1) === -8, "vouch EdDSA: protected alg -8");
  check(m.protMap.get(3) === "application/vouch-vc+cbor", "vouch EdDSA: protected content type carried");
  check(eq(m.payload, vcPayload), "vouch EdDSA: payload carried");
  check(nodeVerifySign1Ed(m, host.pub), "node verifies vouch's EdDSA COSE_Sign1");
  check(eq(unhex(ok(["tobesign", hex(vouchVc)], "vouch tobesign")[0]), sigStructure(m.prot, new Uint8Array(), m.payload)),
        "vouch and node build the same Sig_structure");
  check(!nodeVerifySign1Ed(m, newEd().pub), "node refuses vouch's EdDSA COSE_Sign1 under another key");
  // The whole message is deterministic: re-encoding the parts with the
  // deterministic map order reproduces it byte for byte.
  check(eq(encodeSign1({ ...m, unprot: detMap([...m.unprot]) }), vouchVc), "vouch's message is deterministic CBOR");
}
{
  const aad = utf8("policy digest");
  const msg = unhex(ok(["sign-eddsa", hex(host.seed), hex(utf8("with aad")), "a0",
                        hex(detMapBytes([["note", "unprotected text label"]])), hex(aad)], "vouch EdDSA sign with aad")[0]);
  const m = parseSign1(msg, "vouch EdDSA COSE_Sign1 with aad");
  check(m.unprot.get("note") === "unprotected text label", "vouch EdDSA: unprotected text label carried");
  check(nodeVerifySign1Ed(m, host.pub, aad), "node verifies vouch's EdDSA COSE_Sign1 with external aad");
  check(!nodeVerifySign1Ed(m, host.pub), "node refuses it without the external aad");
}
let vouchEs256, es256Pub;
{
  const [msgHex, xy] = ok(["sign-es256", hex(vcPayload), hex(detMapBytes([[3, 0]])), "a0"], "vouch ES256 sign");
  const [x, y] = xy.split(" ").map(unhex);
  vouchEs256 = unhex(msgHex);
  es256Pub = { x, y, point: cat(Uint8Array.of(4), x, y) };
  const m = parseSign1(vouchEs256, "vouch ES256 COSE_Sign1");
  check(m.protMap.get(1) === -7, "vouch ES256: protected alg -7");
  check(m.signature.length === 64, "vouch ES256: raw r||s signature");
  check(nodeVerifySign1P256(m, es256Pub.point), "node verifies vouch's ES256 COSE_Sign1");
  const other = p256.getPublicKey(p256.utils.randomSecretKey(), false);
  check(!nodeVerifySign1P256(m, other), "node refuses vouch's ES256 COSE_Sign1 under another key");
}

// ---- 2. vouch countersigns, node verifies ----

const validators = [newEd(), newEd(), newEd()];
let endorsed = vouchVc;
validators.forEach((v, i) => {
  const extra = hex(cborEncode(detMap([[4, utf8(`did:key:z6Mkvalidator${i}`)], ["vouch.verdict", verdict(1700000000 + i)]])));
  endorsed = unhex(ok(["countersign", hex(v.seed), hex(endorsed), extra], `vouch countersign ${i}`)[0]);
});
{
  const m = parseSign1(endorsed, "vouch endorsed VC");
  const label11 = m.unprot.get(11);
  check(Array.isArray(label11) && label11.length === 3 && label11.every(Array.isArray),
        "vouch writes label 11 as an array of COSE_Countersignature arrays");
  const list = countersignaturesOf(m);
  list.forEach((cs, i) => {
    const p = cborDecode(cs[0]);
    check(p.get(1) === -8, `vouch countersignature ${i}: alg -8`);
    check(eq(new Uint8Array(p.get(4)), utf8(`did:key:z6Mkvalidator${i}`)), `vouch countersignature ${i}: DID carried`);
    check(p.get("vouch.verdict").get("at") === 1700000000 + i, `vouch countersignature ${i}: verdict carried`);
    validators.forEach((v, k) => {
      check(nodeVerifyCs(m, cs, v.pub) === (i === k),
            `node: vouch countersignature ${i} ${i === k ? "verifies" : "is refused"} with validator ${k}'s key`);
    });
  });
  check(nodeVerifySign1Ed(m, host.pub), "node: the endorsed VC still verifies as a plain COSE_Sign1");
  check(ok(["verify-countersignatures", hex(endorsed), ...validators.map((v) => hex(v.pub))], "vouch verifies its own")[0] === "ok 3",
        "vouch verifies its three countersignatures");
}
{
  // Countersignature on the ES256 message too (validator keys are always Ed25519).
  const msg = unhex(ok(["countersign", hex(validators[0].seed), hex(vouchEs256), "a0"], "vouch countersign ES256")[0]);
  const m = parseSign1(msg, "vouch countersigned ES256");
  check(nodeVerifyCs(m, countersignaturesOf(m)[0], validators[0].pub), "node verifies vouch's countersignature on an ES256 COSE_Sign1");
  check(nodeVerifySign1P256(m, es256Pub.point), "node: countersigned ES256 message still verifies");
}

// ---- 3. node signs, vouch verifies ----

const nodeHost = newEd();
const nodeVc = nodeSignEd(nodeHost.seed, [[3, "application/vouch-vc+cbor"], [4, utf8("did:key:z6Mknodehost")]], [], vcPayload);
const nodeVcBytes = encodeSign1(nodeVc);
check(ok(["verify-eddsa", hex(nodeHost.pub), hex(nodeVcBytes)], "vouch verifies node EdDSA")[0] === "ok",
      "vouch verifies node's EdDSA COSE_Sign1");
refused(["verify-eddsa", hex(newEd().pub), hex(nodeVcBytes)], "bad-signature", "vouch, node EdDSA, wrong key");
{
  const aad = utf8("aad from node");
  const m = nodeSignEd(nodeHost.seed, [], [[4, utf8("kid")]], utf8("payload"), aad);
  check(ok(["verify-eddsa", hex(nodeHost.pub), hex(encodeSign1(m)), hex(aad)], "vouch verifies node EdDSA aad")[0] === "ok",
        "vouch verifies node's EdDSA COSE_Sign1 with external aad");
  refused(["verify-eddsa", hex(nodeHost.pub), hex(encodeSign1(m))], "bad-signature", "vouch, node EdDSA, aad missing");
}
{
  const sk = p256.utils.randomSecretKey();
  const pub = p256.getPublicKey(sk, false);
  const prot = detMapBytes([[1, -7], [3, 0]]);
  const payload = utf8("ES256 from node");
  const signature = p256.sign(sigStructure(prot, new Uint8Array(), payload), sk); // SHA-256 prehash, compact r||s
  const msg = encodeSign1({ prot, unprot: new Map(), payload, signature });
  check(ok(["verify-es256", hex(pub.slice(1, 33)), hex(pub.slice(33)), hex(msg)], "vouch verifies node ES256")[0] === "ok",
        "vouch verifies node's ES256 COSE_Sign1");
  refused(["verify-eddsa", hex(nodeHost.pub), hex(msg)], "bad-signature", "vouch, ES256 message, Ed25519 key (alg mismatch)");
}

// ---- 4. node countersigns, vouch verifies (both forms of label 11) ----

const nodeValidators = [newEd(), newEd()];
{
  // Array form, two countersignatures, on node's VC.
  const list = nodeValidators.map((v, i) => nodeCountersign(nodeVc, v.seed, [[4, utf8(`did:key:nodev${i}`)], ["vouch.verdict", verdict(i)]]));
  const msg = encodeSign1({ ...nodeVc, unprot: detMap([[11, list]]) });
  check(ok(["verify-countersignatures", hex(msg), ...nodeValidators.map((v) => hex(v.pub))], "vouch verifies node array form")[0] === "ok 2",
        "vouch verifies node's two countersignatures (array form)");
  refused(["verify-countersignatures", hex(msg), ...[...nodeValidators].reverse().map((v) => hex(v.pub))], "bad-signature",
          "vouch, node countersignatures, keys swapped");
  check(ok(["verify-eddsa", hex(nodeHost.pub), hex(msg)], "vouch verifies node VC with countersignatures")[0] === "ok",
        "vouch: node's countersigned VC still verifies as COSE_Sign1");

  // vouch appends to node's list: three, all verify in node and in vouch.
  const more = unhex(ok(["countersign", hex(validators[2].seed), hex(msg), "a0"], "vouch appends to node list")[0]);
  const m = parseSign1(more, "mixed list");
  const all = countersignaturesOf(m);
  check(all.length === 3, "mixed list has three countersignatures");
  check(nodeVerifyCs(m, all[0], nodeValidators[0].pub) && nodeVerifyCs(m, all[1], nodeValidators[1].pub) &&
        nodeVerifyCs(m, all[2], validators[2].pub), "node verifies the mixed list");
  check(ok(["verify-countersignatures", hex(more), hex(nodeValidators[0].pub), hex(nodeValidators[1].pub), hex(validators[2].pub)],
           "vouch verifies mixed list")[0] === "ok 3", "vouch verifies the mixed list");
}
{
  // Single form (label 11 = one COSE_Countersignature), on vouch's VC.
  const target = parseSign1(vouchVc, "vouch VC for single form");
  const cs = nodeCountersign(target, nodeValidators[0].seed, [[4, utf8("did:key:single")]]);
  const msg = encodeSign1({ ...target, unprot: detMap([[11, cs]]) });
  check(ok(["verify-countersignatures", hex(msg), hex(nodeValidators[0].pub)], "vouch verifies node single form")[0] === "ok 1",
        "vouch reads and verifies node's single-form countersignature on vouch's VC");
  // vouch adding one converts to the array form, keeping node's.
  const two = unhex(ok(["countersign", hex(validators[0].seed), hex(msg), "a0"], "vouch appends to single form")[0]);
  const m = parseSign1(two, "converted");
  check(Array.isArray(m.unprot.get(11)[0]) && m.unprot.get(11).length === 2, "vouch converts the single form to the array form");
  check(nodeVerifyCs(m, m.unprot.get(11)[0], nodeValidators[0].pub) && nodeVerifyCs(m, m.unprot.get(11)[1], validators[0].pub),
        "node verifies both after the conversion");
}

// ---- 5. tampering: both refuse ----

{
  // vouch's endorsed VC with its payload altered (one bit).
  const m = parseSign1(endorsed, "endorsed");
  const payload = m.payload.slice();
  payload[payload.length - 1] ^= 1;
  const t = { ...m, payload };
  const bytes = encodeSign1(t);
  check(!nodeVerifySign1Ed(t, host.pub), "node refuses vouch's VC with an altered payload");
  refused(["verify-eddsa", hex(host.pub), hex(bytes)], "bad-signature", "vouch, altered payload");
  check(!nodeVerifyCs(t, countersignaturesOf(t)[0], validators[0].pub), "node refuses the countersignature over the altered payload");
  refused(["verify-countersignatures", hex(bytes), ...validators.map((v) => hex(v.pub))], "bad-signature",
          "vouch, countersignatures over an altered payload");
}
{
  // node's VC with one signature bit flipped.
  const signature = nodeVc.signature.slice();
  signature[5] ^= 0x10;
  const t = { ...nodeVc, signature };
  check(!nodeVerifySign1Ed(t, nodeHost.pub), "node refuses its VC with a flipped signature bit");
  refused(["verify-eddsa", hex(nodeHost.pub), hex(encodeSign1(t))], "bad-signature", "vouch, flipped signature bit");
}
{
  // A countersignature moved to another VC: same payload and headers, signed
  // by another host, so only the COSE_Sign1 signature differs (other_fields).
  const otherHost = newEd();
  const other = nodeSignEd(otherHost.seed, [[3, "application/vouch-vc+cbor"], [4, utf8("did:key:z6Mknodehost")]], [], vcPayload);
  check(eq(other.prot, nodeVc.prot) && eq(other.payload, nodeVc.payload) && !eq(other.signature, nodeVc.signature),
        "moved-countersignature setup: only the signature differs");
  const cs = nodeCountersign(nodeVc, nodeValidators[0].seed, []);
  const moved = { ...other, unprot: detMap([[11, [cs]]]) };
  check(!nodeVerifyCs(moved, cs, nodeValidators[0].pub), "node refuses a countersignature moved to another VC");
  refused(["verify-countersignatures", hex(encodeSign1(moved)), hex(nodeValidators[0].pub)], "bad-signature",
          "vouch, countersignature moved to another VC");
  // And one of vouch's, moved from its endorsed VC onto node's VC.
  const fromVouch = countersignaturesOf(parseSign1(endorsed, "endorsed"))[1];
  const moved2 = { ...nodeVc, unprot: detMap([[11, [fromVouch]]]) };
  check(!nodeVerifyCs(moved2, fromVouch, validators[1].pub), "node refuses vouch's countersignature moved to node's VC");
  refused(["verify-countersignatures", hex(encodeSign1(moved2)), hex(validators[1].pub)], "bad-signature",
          "vouch, vouch's countersignature moved to node's VC");
}
{
  // The verdict in a countersignature's protected header altered.
  const m = parseSign1(endorsed, "endorsed");
  const list = countersignaturesOf(m).map((cs) => cs.slice());
  const p = cborDecode(list[0][0]);
  p.set("vouch.verdict", verdict(1));
  list[0][0] = cborEncode(detMap([...p]));
  const t = { ...m, unprot: detMap([[11, list]]) };
  check(!nodeVerifyCs(t, list[0], validators[0].pub), "node refuses a countersignature with an altered verdict");
  refused(["verify-countersignatures", hex(encodeSign1(t)), ...validators.map((v) => hex(v.pub))], "bad-signature",
          "vouch, countersignature with an altered verdict");
}

// ---- 6. vouch's stricter format rules on node-made messages ----

{
  // crit: the signature is fine (node verifies), but vouch understands no
  // critical header and refuses.
  const m = nodeSignEd(nodeHost.seed, [[2, [3]], [3, 0]], [], utf8("critical"));
  check(nodeVerifySign1Ed(m, nodeHost.pub), "node verifies a message with crit");
  refused(["verify-eddsa", hex(nodeHost.pub), hex(encodeSign1(m))], "malformed", "vouch, crit present");
}
{
  // Protected header not deterministic: keys out of order {3: 0, 1: -8}.
  const prot = cat(Uint8Array.of(0xa2, 0x03, 0x00, 0x01, 0x27));
  const payload = utf8("unsorted");
  const signature = ed25519.sign(sigStructure(prot, new Uint8Array(), payload), nodeHost.seed);
  const m = { prot, unprot: new Map(), payload, signature };
  check(nodeVerifySign1Ed(m, nodeHost.pub), "node verifies a message with an unsorted protected map");
  const err = refused(["verify-eddsa", hex(nodeHost.pub), hex(encodeSign1(m))], "malformed", "vouch, unsorted protected map");
  check(err.includes("protected header is not a deterministically encoded CBOR map"), `vouch names the reason: ${err}`);
}
{
  // Untagged COSE_Sign1.
  const bytes = cborEncode([nodeVc.prot, nodeVc.unprot, nodeVc.payload, nodeVc.signature]);
  refused(["verify-eddsa", hex(nodeHost.pub), hex(bytes)], "malformed", "vouch, untagged COSE_Sign1");
}

console.log(`cose interop: ${checks()} checks passed (vouch <-> @noble/curves + cbor-x)`);
