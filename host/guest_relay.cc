#include "vouch/host/guest_relay.h"

#include <poll.h>

#include <memory>
#include <optional>

#include "vouch/core/guest_channel.h"
#include "vouch/host/reattest_run.h"

namespace vouch::host {
namespace {

using namespace guest_channel;
using Clock = std::chrono::steady_clock;

constexpr auto kFrameTime = std::chrono::seconds(30);

// At most `max` bytes of `text`, not cutting a UTF-8 sequence.
std::string Utf8Prefix(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// A round between its challenges and the guest's evidence.
struct PendingRound {
  uint64_t id = 0;
  std::unique_ptr<DomainRound> domain;
  std::optional<ReattestRound> exchange;
};

class Relay {
 public:
  Relay(int fd, const GuestRelayOptions& options) : channel_(fd), options_(options) {}

  // Answers one message; an error ends the session.
  Status Answer(const Message& message) {
    if (std::holds_alternative<Hello>(message)) return OfferPolicy();
    if (std::holds_alternative<RoundRequest>(message)) return BeginRound();
    if (const auto* evidence = std::get_if<Evidence>(&message)) return FinishRound(*evidence);
    return Send(Refused{0, StrCat("the agent does not take '", TypeName(message), "' messages")});
  }

 private:
  Status Send(const Message& message) { return channel_.Write(message, Clock::now() + kFrameTime); }

  Status OfferPolicy() {
    auto domain = PrepareDomainRound(options_.config, options_.domain);
    if (!domain.ok() || *domain == nullptr) {
      std::string reason = domain.ok() ? "the domain is not protected by vouch" : domain.error().message();
      options_.log(StrCat("domain '", options_.domain, "': no policy for the shim: ", reason));
      return Send(Refused{0, reason});
    }
    return Send(PolicyOffer{(*domain)->policy.encoded(), (*domain)->input.baseline});
  }

  Status BeginRound() {
    auto domain = PrepareDomainRound(options_.config, options_.domain);
    if (!domain.ok() || *domain == nullptr) {
      std::string reason = domain.ok() ? "the domain is not protected by vouch" : domain.error().message();
      return Send(Refused{next_id_, reason});
    }
    pending_.reset();
    pending_.emplace(PendingRound{++next_id_, std::move(domain).value(), std::nullopt});
    pending_->domain->input.drift_quorum = options_.drift_quorum;
    pending_->exchange.emplace(ReattestRound::Begin(pending_->domain->input, pending_->domain->host));
    return Send(Challenge{pending_->id, pending_->exchange->nonces()});
  }

  Status FinishRound(const Evidence& evidence) {
    if (!pending_ || pending_->id != evidence.round) {
      return Send(Refused{evidence.round, StrCat("round ", evidence.round, " was not begun by this agent")});
    }
    PendingRound round = std::move(*pending_);
    pending_.reset();
    const auto started = std::chrono::steady_clock::now();
    auto outcome = round.exchange->Finish(evidence.guest);
    Bytes endorsed = outcome.ok() ? outcome->endorsed_vc.message().Encode() : Bytes{};
    auto report = RecordDomainRound(*round.domain, std::move(outcome), options_.enforce);
    if (options_.metrics != nullptr) {
      options_.metrics->Round("guest", RoundResult(report.ok() ? Ok() : Status(report.error())),
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    if (!report.ok()) {
      options_.log(report.error().message());
      return Send(Refused{round.id, Utf8Prefix(report.error().message(), kMaxReasonSize)});
    }
    options_.log(StrCat("domain '", options_.domain, "': guest round ", round.id, " re-endorsed by ",
                        report->endorsements, " of ", report->validators, " validators (t = ",
                        report->threshold, ")"));
    for (const std::string& e : report->write_errors) options_.log(StrCat("domain '", options_.domain, "': ", e));
    return Send(Endorsed{round.id, std::move(endorsed)});
  }

  FramedChannel channel_;
  const GuestRelayOptions& options_;
  std::optional<PendingRound> pending_;
  uint64_t next_id_ = 0;
};

// Waits until `fd` is readable or `stop` is set; false on stop.
bool WaitReadable(int fd, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, 200);
    if (n > 0) return true;  // readable, or hung up: the read says which
  }
  return false;
}

}  // namespace

Status ServeGuestChannel(int fd, const GuestRelayOptions& options, const std::atomic<bool>& stop) {
  Relay relay(fd, options);
  FramedChannel reader(fd);
  while (WaitReadable(fd, stop)) {
    VOUCH_ASSIGN_OR_RETURN(Message message, reader.Read(Clock::now() + kFrameTime));
    VOUCH_RETURN_IF_ERROR(relay.Answer(message));
  }
  return Ok();
}

}  // namespace vouch::host
