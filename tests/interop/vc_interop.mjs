// Interop: vouch's W3C VC 2.0 form of a host VC with Data Integrity
// eddsa-jcs-2022 proofs (DESIGN §3 "JSON forms (W3C)") against Digital
// Bazaar's @digitalbazaar/vc, @digitalbazaar/data-integrity and
// @digitalbazaar/eddsa-jcs-2022-cryptosuite, keys resolved by
// @digitalbazaar/did-method-key, contexts served offline from docs/contexts.
//
//   - `vouch vectors` writes an endorsed VC whose host and validators made
//     their proofs when issuing and endorsing; `vouch vc export` of it is the
//     vector set's di-vc file, byte for byte.
//   - Each proof is checked on its own, never by the document's overall
//     result (jsonld-signatures reports a document verified when *some*
//     proof verifies). jsonld-signatures 11 has no previousProof: it verifies
//     every proof over the document without proofs (a proof set). The host's
//     proof is checked that way, through vc.verifyCredential; a validator's
//     chained proof is checked with DataIntegrityProof.verifyProof over the
//     document Data Integrity §4.3 gives it (its proofs replaced by the one
//     it names), so Digital Bazaar's code does the hashing and the signature
//     check.
//   - Any altered claim, proof or DID fails the proofs it should.
//   - The other way round: a VC issued by those libraries verifies in
//     `vouch vc verify`, and fails there when altered.
//
//   node vc_interop.mjs PATH/TO/vouch
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as vc from "@digitalbazaar/vc";
import jsigs from "jsonld-signatures";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { createSignCryptosuite, createVerifyCryptosuite } from "@digitalbazaar/eddsa-jcs-2022-cryptosuite";
import { driver } from "@digitalbazaar/did-method-key";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";

const ROOT = new URL("../../", import.meta.url).pathname;
const { AssertionProofPurpose } = jsigs.purposes;

import { check, checks } from "./check.mjs";

const vouch = process.argv[2];
if (!vouch) {
  console.error("usage: vc_interop.mjs VOUCH_BINARY");
  process.exit(2);
}
const run = (args) => spawnSync(vouch, args, { encoding: "utf8" });

// Offline document loader: the bundled contexts and did:key documents.
const contexts = new Map([
  ["https://www.w3.org/ns/credentials/v2", "docs/contexts/credentials-v2.jsonld"],
  ["https://w3id.org/vouch/v1", "docs/contexts/vouch-v1.jsonld"],
].map(([url, file]) => [url, JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"))]));
const didKeyDriver = driver();
didKeyDriver.use({ multibaseMultikeyHeader: "z6Mk", fromMultibase: Ed25519Multikey.from });
const fallback = jsigs.extendContextLoader(vc.defaultDocumentLoader);
async function documentLoader(url) {
  if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  if (url.startsWith("did:key:")) {
    return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) };
  }
  // Only contexts the packages bundle themselves (security, multikey); never the network.
  return fallback(url);
}

const verifySuite = () => new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() });
// @digitalbazaar/vc refuses a credential with credentialStatus unless given a
// checkStatus; the proofs are this script's concern, the status list
// status_interop.mjs's (against @digitalbazaar/vc-bitstring-status-list).
const checkStatus = async () => ({ verified: true });
const proofsOf = (doc) => (Array.isArray(doc.proof) ? doc.proof : [doc.proof]);
const withoutProof = (doc) => { const { proof, ...rest } = doc; return rest; };

// Each proof's own result: true/false per proof, in document order.
async function eachProof(doc) {
  const proofs = proofsOf(doc);
  const results = [];
  for (const proof of proofs) {
    if (proof.previousProof === undefined) {
      // A root proof: the document with this proof alone, through the VC library.
      const single = { ...withoutProof(doc), proof };
      const r = await vc.verifyCredential({ credential: single, suite: verifySuite(), documentLoader, checkStatus });
      results.push(r.verified === true && r.results?.length === 1 && r.results[0].verified === true);
    } else {
      // A chained proof: Data Integrity §4.3 — the document with the proofs it names.
      const names = [].concat(proof.previousProof);
      const matching = names.map((id) => proofs.find((p) => p.id === id));
      if (matching.some((p) => p === undefined)) { results.push(false); continue; }
      const input = { ...withoutProof(doc), proof: matching };
      const r = await verifySuite().verifyProof({ proof: structuredClone(proof), proofSet: matching,
        document: structuredClone(input), documentLoader, purpose: new AssertionProofPurpose() });
      results.push(r.verified === true);
    }
  }
  return results;
}

const W = fs.mkdtempSync(path.join(os.tmpdir(), "vouch-vc-"));
try {
  // 1. vouch's vectors and `vouch vc export`.
  let r = run(["vectors", W]);
  check(r.status === 0, `vouch vectors: ${r.stderr}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(W, "manifest.json"), "utf8"));
  const item = manifest.items.find((i) => i.kind === "di-vc");
  check(item !== undefined, "the vector set has a di-vc item");
  const exportedText = fs.readFileSync(path.join(W, item.file), "utf8");
  r = run(["vc", "export", path.join(W, "endorsed-vc.cbor"), "--format", "di-jcs"]);
  check(r.status === 0 && r.stdout === exportedText, `vouch vc export equals the vector set's di-vc: ${r.stderr}`);
  const doc = JSON.parse(exportedText);
  check(proofsOf(doc).length === 1 + item.validator_dids.length, "one proof per signer");
  check(doc.issuer === item.host_did, "issuer is the host DID");
  proofsOf(doc).slice(1).forEach((p, i) => {
    check(p.verificationMethod.startsWith(item.validator_dids[i] + "#"), `proof ${i + 1} is validator ${i}'s`);
    check(p.previousProof === proofsOf(doc)[0].id, `proof ${i + 1} chains to the host's proof`);
  });

  // 2. Digital Bazaar verifies every proof, each on its own.
  let results = await eachProof(doc);
  check(results.every((v) => v === true), `every proof verifies with Digital Bazaar's libraries: ${results}`);
  // The overall result of jsonld-signatures is no evidence: with the chained
  // proofs as set members it still says verified (the host's proof holds).
  const whole = await vc.verifyCredential({ credential: doc, suite: verifySuite(), documentLoader,
    purpose: new AssertionProofPurpose(), checkStatus });
  const setResults = (whole.results ?? []).map((x) => x.verified);
  check(setResults[0] === true, "vc.verifyCredential: the host's proof verifies as a set member");

  // 3. Altered claims fail every proof; altered proofs and DIDs fail theirs.
  const tamper = (fn) => { const d = structuredClone(doc); fn(d); return d; };
  const claimEdits = {
    "boot hash": (d) => { d.credentialSubject.bootHash = "00".repeat(32); },
    "a quoted PCR": (d) => { d.credentialSubject.tpm.pcrs["7"] = "11".repeat(32); },
    "qemu version": (d) => { d.credentialSubject.hypervisor.qemu = "9.9.9"; },
    "validUntil": (d) => { d.validUntil = "2099-01-01T00:00:00Z"; },
    "the embedded CBOR VC": (d) => { d.evidence[0].sha256 = "22".repeat(32); },
    "the issuer DID": (d) => { d.issuer = item.validator_dids[0]; },
  };
  for (const [what, edit] of Object.entries(claimEdits)) {
    results = await eachProof(tamper(edit));
    check(results.every((v) => v === false), `altered ${what}: every proof fails (${results})`);
    fs.writeFileSync(path.join(W, "t.json"), JSON.stringify(tamper(edit)));
    check(run(["vc", "verify", path.join(W, "t.json")]).status === 1, `altered ${what}: vouch vc verify refuses`);
  }
  results = await eachProof(tamper((d) => { d.proof[0].created = "2020-01-01T00:00:00Z"; }));
  check(results.every((v) => v === false), `altered host proof: it and every proof chained to it fail (${results})`);
  results = await eachProof(tamper((d) => { d.proof[1].proofValue = d.proof[2].proofValue; }));
  check(results[0] && !results[1] && results.slice(2).every((v) => v), `swapped proofValue: only that proof fails (${results})`);
  results = await eachProof(tamper((d) => { d.proof[1].verificationMethod = d.proof[2].verificationMethod; }));
  check(results[0] && !results[1], `validator DID altered: that proof fails (${results})`);
  const other = await Ed25519Multikey.generate();
  const otherDid = `did:key:${other.publicKeyMultibase}`;
  results = await eachProof(tamper((d) => { d.proof[0].verificationMethod = `${otherDid}#${other.publicKeyMultibase}`; }));
  check(results.every((v) => v === false), `host DID altered in its proof: every proof fails (${results})`);

  r = run(["vc", "verify", path.join(W, item.file), "--json"]);
  check(r.status === 0 && JSON.parse(r.stdout).verified === true, `vouch vc verify of its own export: ${r.stderr}`);

  // 4. A VC issued by Digital Bazaar's libraries verifies in vouch.
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const credential = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    id: "urn:uuid:7f1d3c2e-7a8b-4c5d-9e0f-1a2b3c4d5e6f",
    type: ["VerifiableCredential"],
    issuer: did,
    validFrom: "2025-01-01T00:00:00Z",
    validUntil: "2099-01-01T00:00:00Z",
    credentialSubject: { id: "did:example:subject", name: "Alumni Credential" },
  };
  const issued = await vc.issue({ credential, documentLoader,
    suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: createSignCryptosuite() }) });
  check(issued.proof?.cryptosuite === "eddsa-jcs-2022", "Digital Bazaar issued an eddsa-jcs-2022 VC");
  const issuedFile = path.join(W, "db-issued.json");
  fs.writeFileSync(issuedFile, JSON.stringify(issued, null, 2));
  r = run(["vc", "verify", issuedFile]);
  check(r.status === 0, `vouch vc verify accepts a VC Digital Bazaar issued: ${r.stderr}`);
  const alteredIssued = structuredClone(issued);
  alteredIssued.credentialSubject.name = "Another Credential";
  fs.writeFileSync(issuedFile, JSON.stringify(alteredIssued));
  r = run(["vc", "verify", issuedFile]);
  check(r.status === 1 && /proof 1 by/.test(r.stderr), `vouch vc verify refuses it altered: ${r.stderr}`);
} finally {
  fs.rmSync(W, { recursive: true, force: true });
}
console.log(`vc interop: ${checks()} checks passed`);
