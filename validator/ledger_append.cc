#include "vouch/validator/ledger_append.h"

#include "vouch/ledger/append_request.h"
#include "vouch/validator/api.h"
#include "vouch/validator/logger.h"

namespace vouch::validator {
namespace {

Error Unauthorized(std::string why) { return Error(Code::kBadSignature, "unauthorized: " + why); }

LedgerAppendAnswer Refused(const Error& error, int status, const std::string& who) {
  LedgerAppendAnswer a;
  a.status = status;
  a.body = protocol::EncodeRefusal(error);
  a.log_line = StrCat("vouchd: ledger-append ", who, " refused code=", CodeName(error.code()), " reason=",
                      QuoteLogValue(error.message()));
  return a;
}

}  // namespace

Status MayAppendThroughValidator(const ledger::Entry& entry, const ledger::ChainState& state) {
  const std::string& author = entry.author().did();
  if (state.IsGovernance(author)) {
    return Unauthorized(StrCat("'", author, "' is a governance key: governance appends with its own ledger "
                               "credentials, not through a validator"));
  }
  if (state.FindValidator(author) != nullptr) {
    return Unauthorized(StrCat("'", author, "' is a validator: a validator appends its own entries"));
  }
  switch (entry.type()) {
    case ledger::EntryType::kDidRegister: {
      const std::string& did = entry.body_as<ledger::DidRegisterBody>().did;
      if (did != author) {
        return Unauthorized(StrCat("a did-register of '", did, "' signed by '", author, "' (a host registers only itself)"));
      }
      return Ok();
    }
    case ledger::EntryType::kAttested: {
      const std::string& host = entry.body_as<ledger::AttestedBody>().host;
      if (host != author) {
        return Unauthorized(StrCat("an attested entry about '", host, "' signed by '", author,
                                   "' (a host reports only its own launches)"));
      }
      if (state.FindHost(author) == nullptr) {
        return Unauthorized(StrCat("'", author, "' is not a registered host (a stranger may only register itself)"));
      }
      return Ok();
    }
    case ledger::EntryType::kRevoke: {
      const auto& b = entry.body_as<ledger::RevokeBody>();
      if (b.owner_proof.empty() || b.owner != author) {
        return Unauthorized(StrCat("a revoke of '", b.subject, "' by '", author,
                                   "': only an owner revoking its own launch (with its owner proof) revokes "
                                   "through a validator"));
      }
      return Ok();
    }
    case ledger::EntryType::kReinstate: {
      const auto& b = entry.body_as<ledger::ReinstateBody>();
      const ledger::Quarantine* q = state.FindQuarantine(b.host, b.domain);
      if (q == nullptr || q->owner != author) {
        return Unauthorized(StrCat("a reinstate of host '", b.host, "' for domain ", b.domain, " by '", author,
                                   "': only the owner its quarantine names reinstates through a validator"));
      }
      return Ok();
    }
    default:
      return Unauthorized(StrCat("a ", ledger::EntryTypeName(entry.type()), " entry by '", author,
                                 "': through a validator a host appends only did-register and attested "
                                 "entries, an owner only its revoke and reinstate"));
  }
}

LedgerAppendAnswer LedgerAppender::Handle(std::string_view content_type, ByteView body) {
  if (content_type.rfind(kCborContentType, 0) != 0) {
    return Refused(Error(Code::kMalformed, StrCat("ledger append request: expected Content-Type ", kCborContentType,
                                                  ", got '", content_type, "'")),
                   415, "-");
  }
  auto encoded = ledger::DecodeAppendRequest(body);
  if (!encoded.ok()) return Refused(encoded.error(), 400, "-");
  auto entry = ledger::Entry::Parse(*encoded);
  if (!entry.ok()) {
    Error e = entry.error().WithContext("ledger append request: the entry");
    return Refused(e, HttpStatusFor(e.code()), "-");
  }
  const std::string who = StrCat("author=", entry->author().did(), " type=", ledger::EntryTypeName(entry->type()),
                                 " index=", entry->index());
  auto outcome = ledger_.SubmitJudged(*entry, [&](const ledger::ChainState& state) {
    return MayAppendThroughValidator(*entry, state);
  });
  if (!outcome.ok()) return Refused(outcome.error(), HttpStatusFor(outcome.error().code()), who);
  if (*outcome == ledger::AppendOutcome::kIndexTaken) {
    LedgerAppendAnswer a;
    a.status = 409;
    a.body = ledger::EncodeIndexTakenAnswer(entry->index());
    a.log_line = StrCat("vouchd: ledger-append ", who, " index-taken");
    return a;
  }
  const bool appended = *outcome == ledger::AppendOutcome::kAppended;
  LedgerAppendAnswer a;
  a.status = 200;
  a.body = ledger::EncodeAppendAnswer(entry->index(), *outcome);
  a.log_line = StrCat("vouchd: ledger-append ", who, appended ? " appended" : " already-present");
  return a;
}

LedgerAppendAnswer HandleLedgerAppend(LedgerAppender* appender, std::string_view content_type, ByteView body) {
  if (appender != nullptr) return appender->Handle(content_type, body);
  return Refused(Error(Code::kUnavailable, "appending to the ledger needs a vouchd on the ledger (--ledger), "
                                           "not a --hosts file"),
                 501, "-");
}

}  // namespace vouch::validator
