// An attestation key as stored on the host: its public area and its private
// blob (TPM2B_PRIVATE, sealed to the TPM's endorsement key, useless anywhere
// else). Made by Tpm::CreateAk, used by Tpm::Quote.
#ifndef VOUCH_MEASURE_AK_H_
#define VOUCH_MEASURE_AK_H_

#include <string>

#include "vouch/core/bytes.h"
#include "vouch/measure/ak_public.h"

namespace vouch {

// File names inside an AK directory. Both are the TPM marshalled structures,
// byte for byte what tpm2-tools writes with `-u` / `-r` (tss format), so
// `tpm2_load -C ek.ctx -u ak.pub -r ak.priv` loads a vouch AK and vice versa.
inline constexpr char kAkPublicFile[] = "ak.pub";    // TPM2B_PUBLIC
inline constexpr char kAkPrivateFile[] = "ak.priv";  // TPM2B_PRIVATE

// Thread-safe (immutable).
class Ak {
 public:
  // From the marshalled TPM2B_PUBLIC and TPM2B_PRIVATE. kBadQuote if the
  // public area is not a usable AK (see AkPublic::Parse); kMalformed if
  // `tpm2b_private` is not one TPM2B (size prefix matching its length, at
  // most the TPM's 1 KiB limit, not empty).
  static Result<Ak> FromBlobs(ByteView tpm2b_public, ByteView tpm2b_private);

  // Reads `dir`/ak.pub and `dir`/ak.priv. kNotFound if either file is
  // missing, kIo on read errors, else as FromBlobs; messages name the file.
  static Result<Ak> Load(const std::string& dir);

  // Writes ak.pub and ak.priv into `dir` (created with mode 0700 if missing)
  // with mode 0600, each atomically. kIo on failure, naming the path.
  Status Save(const std::string& dir) const;

  const AkPublic& public_area() const { return public_; }
  const Bytes& private_blob() const { return private_; }
  // Shorthands for public_area().name() / .key().
  const Bytes& name() const { return public_.name(); }
  const P256PublicKey& key() const { return public_.key(); }

 private:
  Ak(AkPublic pub, Bytes priv) : public_(std::move(pub)), private_(std::move(priv)) {}
  AkPublic public_;
  Bytes private_;
};

}  // namespace vouch

#endif  // VOUCH_MEASURE_AK_H_
