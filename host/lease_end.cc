#include "vouch/host/lease_end.h"

#include <memory>
#include <optional>
#include <thread>

#include "validator_exchange.h"
#include "vouch/core/stop_notice.h"
#include "vouch/host/validator_client.h"

namespace vouch::host {

using internal::Clock;
using internal::Mailbox;
using internal::Remaining;
using internal::ShortName;

LeaseEndReport EndLeases(const OwnerPolicy& policy, const Ed25519PrivateKey& host_key, ByteView launch,
                         int64_t at, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  const StopNotice notice = SignStopNotice(host_key, launch, at);
  const size_t n = policy.validators.size();
  auto mailbox = std::make_shared<Mailbox<bool>>();
  for (size_t i = 0; i < n; ++i) {
    std::thread([mailbox, i, notice, endpoint = policy.validators[i].endpoint, timeout = Remaining(deadline)] {
      ValidatorClient client(endpoint, timeout);
      Status stopped = client.Stop(notice);
      mailbox->Put(i, stopped.ok() ? Result<bool>(true) : Result<bool>(stopped.error()));
    }).detach();
  }
  // Answers in policy order, whatever order they arrive in.
  std::vector<std::optional<Result<bool>>> answer(n);
  for (size_t got = 0; got < n; ++got) {
    auto next = mailbox->Next(deadline);
    if (!next) break;
    answer[next->first] = std::move(next->second);
  }
  LeaseEndReport report;
  for (size_t i = 0; i < n; ++i) {
    const std::string name = ShortName(policy.validators[i]);
    if (!answer[i].has_value()) {
      report.failures.push_back(StrCat(name, ": no answer before the deadline"));
    } else if (answer[i]->ok()) {
      report.ended.push_back(name);
    } else if (answer[i]->error().code() == Code::kNotFound) {
      report.not_held.push_back(name);
    } else {
      report.failures.push_back(StrCat(name, ": ", answer[i]->error().message()));
    }
  }
  return report;
}

}  // namespace vouch::host
