// hpke_tool: a thin command-line face on vouch/core/hpke.h for
// hpke_interop.mjs. Every byte string is hex; an argument "-" is read from
// stdin (one at most). Exit 0 on success, 1 with one stderr line on failure,
// 2 on bad usage. Options first: --aead aes128gcm|aes256gcm|chacha20poly1305|exportonly
// (default aes128gcm, the suite vouch seals shares with).
//
//   keygen                              -> {"sk": hex, "pk": hex}
//   derive IKM                          -> {"sk": hex, "pk": hex}   (RFC 9180 §7.1.3)
//   seal PK INFO AAD PT [PT...]         -> {"enc": hex, "cts": [hex, ...]}  (one context)
//   open SK ENC INFO AAD CT [CT...]     -> one plaintext hex per line, in order
//   export-sender PK INFO CTX L         -> {"enc": hex, "secret": hex}
//   export-recipient SK ENC INFO CTX L  -> secret hex
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/hpke.h"
#include "vouch/core/secret_bytes.h"

namespace vouch {
namespace {

int Usage() {
  std::cerr << "usage: hpke_tool [--aead aes128gcm|aes256gcm|chacha20poly1305|exportonly] "
               "keygen | derive IKM | seal PK INFO AAD PT... | open SK ENC INFO AAD CT... | "
               "export-sender PK INFO CTX L | export-recipient SK ENC INFO CTX L\n";
  return 2;
}

int Fail(const Error& e) {
  std::cerr << "hpke_tool: " << e.ToString() << "\n";
  return 1;
}

class Args {
 public:
  explicit Args(std::vector<std::string> args) : args_(std::move(args)) {}

  // Decodes args_[i] (or stdin for "-") as hex.
  Result<Bytes> Hex(size_t i) {
    std::string text = args_.at(i);
    if (text == "-") {
      if (stdin_used_) return Error(Code::kInvalidArgument, "only one argument may be '-'");
      stdin_used_ = true;
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
      }
    }
    auto b = HexDecode(text);
    if (!b.ok()) return b.error().WithContext(StrCat("argument ", i + 1));
    return b;
  }
  const std::string& operator[](size_t i) const { return args_.at(i); }
  size_t size() const { return args_.size(); }

 private:
  std::vector<std::string> args_;
  bool stdin_used_ = false;
};

Result<HpkeAead> ParseAead(const std::string& name) {
  if (name == "aes128gcm") return HpkeAead::kAes128Gcm;
  if (name == "aes256gcm") return HpkeAead::kAes256Gcm;
  if (name == "chacha20poly1305") return HpkeAead::kChaCha20Poly1305;
  if (name == "exportonly") return HpkeAead::kExportOnly;
  return Error(Code::kInvalidArgument, StrCat("--aead: unknown AEAD '", name, "'"));
}

Result<size_t> ParseLength(const std::string& s) {
  char* end = nullptr;
  unsigned long v = std::strtoul(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') {
    return Error(Code::kInvalidArgument, StrCat("L: expected a decimal length, got '", s, "'"));
  }
  return static_cast<size_t>(v);
}

void PrintKey(const X25519PrivateKey& k) {
  std::cout << "{\"sk\": \"" << HexEncode(k.Serialize().Expose()) << "\", \"pk\": \""
            << HexEncode(k.public_key()) << "\"}\n";
}

Result<X25519PrivateKey> KeyArg(Args& a, size_t i) {
  VOUCH_ASSIGN_OR_RETURN(Bytes raw, a.Hex(i));
  return X25519PrivateKey::FromRaw(SecretBytes::Adopt(std::move(raw)));
}

int Run(Args& a, HpkeAead aead) {
  const std::string& cmd = a[0];
  if (cmd == "keygen" && a.size() == 1) {
    PrintKey(X25519PrivateKey::Generate());
    return 0;
  }
  if (cmd == "derive" && a.size() == 2) {
    auto ikm = a.Hex(1);
    if (!ikm.ok()) return Fail(ikm.error());
    auto k = X25519PrivateKey::DeriveKeyPair(SecretBytes::Adopt(std::move(ikm).value()));
    if (!k.ok()) return Fail(k.error());
    PrintKey(*k);
    return 0;
  }
  if (cmd == "seal" && a.size() >= 5) {
    auto pk = a.Hex(1), info = a.Hex(2), aad = a.Hex(3);
    for (auto* r : {&pk, &info, &aad}) {
      if (!r->ok()) return Fail(r->error());
    }
    auto setup = SetupBaseS(*pk, *info, aead);
    if (!setup.ok()) return Fail(setup.error());
    std::string cts;
    for (size_t i = 4; i < a.size(); ++i) {
      auto pt = a.Hex(i);
      if (!pt.ok()) return Fail(pt.error());
      auto ct = setup->context.Seal(*aad, *pt);
      if (!ct.ok()) return Fail(ct.error());
      cts += StrCat(i > 4 ? ", " : "", "\"", HexEncode(*ct), "\"");
    }
    std::cout << "{\"enc\": \"" << HexEncode(setup->enc) << "\", \"cts\": [" << cts << "]}\n";
    return 0;
  }
  if (cmd == "open" && a.size() >= 6) {
    auto sk = KeyArg(a, 1);
    if (!sk.ok()) return Fail(sk.error());
    auto enc = a.Hex(2), info = a.Hex(3), aad = a.Hex(4);
    for (auto* r : {&enc, &info, &aad}) {
      if (!r->ok()) return Fail(r->error());
    }
    auto ctx = SetupBaseR(*enc, *sk, *info, aead);
    if (!ctx.ok()) return Fail(ctx.error());
    std::string out;
    for (size_t i = 5; i < a.size(); ++i) {
      auto ct = a.Hex(i);
      if (!ct.ok()) return Fail(ct.error());
      auto pt = ctx->Open(*aad, *ct);
      if (!pt.ok()) return Fail(pt.error().WithContext(StrCat("message ", i - 5)));
      out += HexEncode(pt->Expose()) + "\n";
    }
    std::cout << out;  // nothing is printed unless every message opened
    return 0;
  }
  if (cmd == "export-sender" && a.size() == 5) {
    auto pk = a.Hex(1), info = a.Hex(2), ctx_bytes = a.Hex(3);
    for (auto* r : {&pk, &info, &ctx_bytes}) {
      if (!r->ok()) return Fail(r->error());
    }
    auto len = ParseLength(a[4]);
    if (!len.ok()) return Fail(len.error());
    auto setup = SetupBaseS(*pk, *info, aead);
    if (!setup.ok()) return Fail(setup.error());
    auto secret = setup->context.Export(*ctx_bytes, *len);
    if (!secret.ok()) return Fail(secret.error());
    std::cout << "{\"enc\": \"" << HexEncode(setup->enc) << "\", \"secret\": \""
              << HexEncode(secret->Expose()) << "\"}\n";
    return 0;
  }
  if (cmd == "export-recipient" && a.size() == 6) {
    auto sk = KeyArg(a, 1);
    if (!sk.ok()) return Fail(sk.error());
    auto enc = a.Hex(2), info = a.Hex(3), ctx_bytes = a.Hex(4);
    for (auto* r : {&enc, &info, &ctx_bytes}) {
      if (!r->ok()) return Fail(r->error());
    }
    auto len = ParseLength(a[5]);
    if (!len.ok()) return Fail(len.error());
    auto ctx = SetupBaseR(*enc, *sk, *info, aead);
    if (!ctx.ok()) return Fail(ctx.error());
    auto secret = ctx->Export(*ctx_bytes, *len);
    if (!secret.ok()) return Fail(secret.error());
    std::cout << HexEncode(secret->Expose()) << "\n";
    return 0;
  }
  return Usage();
}

}  // namespace
}  // namespace vouch

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  vouch::HpkeAead aead = vouch::HpkeAead::kAes128Gcm;
  if (args.size() >= 2 && args[0] == "--aead") {
    auto parsed = vouch::ParseAead(args[1]);
    if (!parsed.ok()) return vouch::Fail(parsed.error());
    aead = *parsed;
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.empty()) return vouch::Usage();
  vouch::Args a(std::move(args));
  return vouch::Run(a, aead);
}
