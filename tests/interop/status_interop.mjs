// Interop: vouch's revocation status list (DESIGN §3 "Revocation as a status
// list") against Digital Bazaar's @digitalbazaar/vc-bitstring-status-list,
// its proof against @digitalbazaar/vc + data-integrity +
// eddsa-jcs-2022-cryptosuite, keys resolved by @digitalbazaar/did-method-key.
//
//   - A real SQLite ledger with an admitted validator; `vouch vc status-list`
//     signs its revocations with the validator's key.
//   - decodeList reads 131,072 bits; the bits of the vector set's endorsed
//     VC (its launch and its host) read 0 before, and the launch's 1 after,
//     `vouch revoke credential` of that VC.
//   - checkStatus (which also verifies the list's proof with
//     @digitalbazaar/vc) over the VC's exported credentialStatus, the list
//     served for urn:vouch:status:revocation by the document loader, gives
//     the same bits; a list altered after signing fails its proof there and
//     in `vouch vc verify --status`.
//   - `vouch vc verify --status` refuses the revoked VC naming its launch
//     entry, and with --ledger refuses a list signed by a non-validator.
//
//   node status_interop.mjs PATH/TO/vouch
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
import { checkStatus, createCredential, createList, decodeList } from "@digitalbazaar/vc-bitstring-status-list";

import { check, checks } from "./check.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const vouch = process.argv[2];
if (!vouch) {
  console.error("usage: status_interop.mjs VOUCH_BINARY");
  process.exit(2);
}
const run = (args) => spawnSync(vouch, args, { encoding: "utf8" });
const must = (args) => {
  const r = run(args);
  check(r.status === 0, `vouch ${args.slice(0, 2).join(" ")}: ${r.stderr}`);
  return r.stdout;
};

const contexts = new Map([
  ["https://www.w3.org/ns/credentials/v2", "docs/contexts/credentials-v2.jsonld"],
  ["https://w3id.org/vouch/v1", "docs/contexts/vouch-v1.jsonld"],
].map(([url, file]) => [url, JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"))]));
const didKeyDriver = driver();
didKeyDriver.use({ multibaseMultikeyHeader: "z6Mk", fromMultibase: Ed25519Multikey.from });
const fallback = jsigs.extendContextLoader(vc.defaultDocumentLoader);
// The list a verifier's loader serves for vouch's list id (a validator's
// GET /v1/status/revocation); set before each check.
let servedList = null;
async function documentLoader(url) {
  if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  if (url === "urn:vouch:status:revocation") return { contextUrl: null, documentUrl: url, document: servedList };
  if (url.startsWith("did:key:")) {
    return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) };
  }
  return fallback(url);
}
const suite = new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() });
// The list's issuer is a validator, the credential's the host: vouch's list
// is not the issuer's own (DESIGN §3), so issuers are not matched.
const statusOf = (credential, list) => {
  servedList = list;
  return checkStatus({ credential, documentLoader, suite, verifyMatchingIssuers: false });
};

const W = fs.mkdtempSync(path.join(os.tmpdir(), "vouch-status-"));
try {
  // 1. A ledger with one admitted validator (2 governance keys admit it).
  for (const k of ["gov1", "gov2", "val", "rogue"]) must(["key", "generate", path.join(W, `${k}.pem`)]);
  const did = (k) => must(["ledger", "did", path.join(W, `${k}.pem`)]).trim();
  const DB = `sqlite://${W}/ledger.db`;
  const init = must(["ledger", "init", DB, "--key", path.join(W, "gov1.pem"), "--governance", did("gov2")]);
  const genesis = init.match(/[0-9a-f]{64}/)[0];
  must(["ledger", "append", DB, "--key", path.join(W, "val.pem"), "validator-register", "--hpke-pk", "07".repeat(32),
    "--endpoint", "http://127.0.0.1:1", "--operator", "op-a", "--region", "eu-west",
    "--countersign", path.join(W, "gov1.pem"), "--countersign", path.join(W, "gov2.pem")]);
  const ledgerFlags = ["--ledger", DB, "--genesis", genesis];
  // A list signed now (Digital Bazaar checks its dates against the clock),
  // or at LIST_AT: inside the vector VC's validity (it is issued now, for
  // two minutes), for `vouch vc verify --at AT`.
  const statusList = (key, file, at = []) => {
    must(["vc", "status-list", ...ledgerFlags, "--key", path.join(W, key), "--out", file, ...at]);
    return JSON.parse(fs.readFileSync(file, "utf8"));
  };

  // 2. The vector set's endorsed VC, exported with its credentialStatus.
  must(["vectors", path.join(W, "v")]);
  const credentialFile = path.join(W, "credential.json");
  must(["vc", "export", path.join(W, "v", "endorsed-vc.cbor"), "--format", "di-jcs", "--out", credentialFile]);
  const credential = JSON.parse(fs.readFileSync(credentialFile, "utf8"));
  const plus = (seconds) => new Date(Date.parse(credential.validFrom) + seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  const AT = plus(10), LIST_AT = plus(5);
  const [launchEntry, hostEntry] = credential.credentialStatus;
  check(launchEntry.type === "BitstringStatusListEntry" && hostEntry.statusPurpose === "revocation",
    "the credential has two revocation entries");
  const at = (list, entry) => list.getStatus(parseInt(entry.statusListIndex, 10));

  // 3. Before any revocation: every bit reads 0, in Digital Bazaar's
  //    library and in vouch.
  const before = statusList("val.pem", path.join(W, "before.json"));
  let decoded = await decodeList({ encodedList: before.credentialSubject.encodedList });
  check(decoded.length === 131072, `decodeList: 131072 bits (${decoded.length})`);
  check(!at(decoded, launchEntry) && !at(decoded, hostEntry), "unrevoked: both bits read 0");
  let r = await statusOf(credential, before);
  check(r.verified === true && r.results.length === 2 && r.results.every((x) => x.status === false),
    `checkStatus verifies the list's proof, both statuses false: ${r.error ?? ""}`);

  const beforeAtFile0 = path.join(W, "before-at0.json");
  statusList("val.pem", beforeAtFile0, ["--at", LIST_AT]);
  let v0 = run(["vc", "verify", credentialFile, "--at", AT, "--status", beforeAtFile0, ...ledgerFlags]);
  check(v0.status === 0 && /status: not revoked in the list of did:key:.*an admitted validator on the ledger/.test(v0.stdout),
    `vouch vc verify --status accepts the unrevoked credential: ${v0.stdout} ${v0.stderr}`);

  // 4. The launch revoked on the ledger: its bit reads 1, the host's 0.
  must(["revoke", "credential", path.join(W, "v", "endorsed-vc.cbor"), "--reason", "owner withdrew it", ...ledgerFlags,
    "--key", path.join(W, "gov1.pem"), "--cosign", path.join(W, "gov2.pem")]);
  const afterFile = path.join(W, "after.json");
  const after = statusList("val.pem", afterFile);
  decoded = await decodeList({ encodedList: after.credentialSubject.encodedList });
  check(at(decoded, launchEntry) && !at(decoded, hostEntry), "revoked launch: its bit reads 1, the host's 0");
  r = await statusOf(credential, after);
  check(r.verified === true && r.results[0].status === true && r.results[1].status === false,
    `checkStatus: the launch entry is set, the host's not: ${r.error ?? ""}`);
  const afterAtFile = path.join(W, "after-at.json");
  const afterAt = statusList("val.pem", afterAtFile, ["--at", LIST_AT]);
  let v = run(["vc", "verify", credentialFile, "--at", AT, "--status", afterAtFile, ...ledgerFlags]);
  check(v.status === 1 && /its launch entry \(statusListIndex \d+\) is set in the status list of/.test(v.stderr),
    `vouch vc verify --status refuses the revoked credential naming its launch entry: ${v.stderr}`);
  const beforeAt = JSON.parse(fs.readFileSync(beforeAtFile0, "utf8"));

  // 5. A list altered after signing (the revocation taken out): its proof
  //    fails with Digital Bazaar and in vouch.
  const altered = structuredClone(after);
  altered.credentialSubject.encodedList = before.credentialSubject.encodedList;
  r = await statusOf(credential, altered);
  check(r.verified === false, "checkStatus refuses the altered list (its proof fails)");
  const alteredAt = structuredClone(afterAt);
  alteredAt.credentialSubject.encodedList = beforeAt.credentialSubject.encodedList;
  const alteredFile = path.join(W, "altered.json");
  fs.writeFileSync(alteredFile, JSON.stringify(alteredAt));
  v = run(["vc", "verify", credentialFile, "--at", AT, "--status", alteredFile]);
  check(v.status === 1 && /status list .*proof/.test(v.stderr), `vouch refuses the altered list: ${v.stderr}`);

  // 6. A list by a non-validator: vouch vc status-list will not sign it.
  r = run(["vc", "status-list", ...ledgerFlags, "--key", path.join(W, "rogue.pem")]);
  check(r.status === 1 && /is not an admitted, unrevoked validator's/.test(r.stderr), `a rogue key cannot sign: ${r.stderr}`);

  // 7. The other way round: a list Digital Bazaar's libraries make and sign
  //    (the launch's bit set) is read by vouch, which refuses the credential;
  //    with --ledger it refuses the list itself, whose signer is no validator.
  const key = await Ed25519Multikey.generate();
  const keyDid = `did:key:${key.publicKeyMultibase}`;
  key.controller = keyDid;
  key.id = `${keyDid}#${key.publicKeyMultibase}`;
  const list = await createList({ length: 131072 });
  list.setStatus(parseInt(launchEntry.statusListIndex, 10), true);
  const unsigned = await createCredential({ id: "urn:vouch:status:revocation", list, statusPurpose: "revocation",
    context: ["https://www.w3.org/ns/credentials/v2"] });
  Object.assign(unsigned, { issuer: keyDid, validFrom: "2025-01-01T00:00:00Z", validUntil: "2099-01-01T00:00:00Z" });
  const dbList = await vc.issue({ credential: unsigned, documentLoader,
    suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: createSignCryptosuite() }) });
  const dbFile = path.join(W, "db-list.json");
  fs.writeFileSync(dbFile, JSON.stringify(dbList, null, 2));
  v = run(["vc", "verify", credentialFile, "--at", AT, "--status", dbFile]);
  check(v.status === 1 && new RegExp(`its launch entry .* is set in the status list of '${keyDid}'`).test(v.stderr),
    `vouch reads Digital Bazaar's list: ${v.stderr}`);
  v = run(["vc", "verify", credentialFile, "--at", AT, "--status", dbFile, ...ledgerFlags]);
  check(v.status === 1 && /which is not an admitted, unrevoked validator on the ledger/.test(v.stderr),
    `with --ledger vouch refuses a list by a non-validator: ${v.stderr}`);
} finally {
  fs.rmSync(W, { recursive: true, force: true });
}
console.log(`status interop: ${checks()} checks passed`);
