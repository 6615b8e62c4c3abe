#include "vouch/validator/recent_decisions.h"

#include <algorithm>

namespace vouch::validator {
namespace {

// A refusal that says nothing about a registered host.
bool NamesAStranger(const Decision& d) {
  return d.host_did.empty() ||
         (!d.approved && d.code && (*d.code == Code::kMalformed || *d.code == Code::kBadSignature ||
                                    *d.code == Code::kUnknownHost));
}

}  // namespace

RecentDecisions::RecentDecisions(size_t capacity, size_t max_hosts)
    : capacity_(std::max<size_t>(capacity, 1)), max_hosts_(std::max<size_t>(max_hosts, 1)) {}

void RecentDecisions::Add(const Decision& decision) {
  std::lock_guard<std::mutex> lock(mu_);
  decisions_.push_back(decision);
  if (decisions_.size() > capacity_) decisions_.pop_front();
  if (NamesAStranger(decision)) return;
  auto it = hosts_.find(decision.host_did);
  if (it == hosts_.end()) {
    if (hosts_.size() >= max_hosts_) {
      auto oldest = std::min_element(hosts_.begin(), hosts_.end(),
                                     [](const auto& a, const auto& b) { return a.second.last_at < b.second.last_at; });
      hosts_.erase(oldest);
    }
    it = hosts_.emplace(decision.host_did, HostSeen{decision.host_did}).first;
  }
  HostSeen& h = it->second;
  h.last_at = std::max(h.last_at, decision.at);
  ++(decision.approved ? h.approvals : h.refusals);
}

std::vector<Decision> RecentDecisions::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<Decision>(decisions_.rbegin(), decisions_.rend());
}

std::vector<HostSeen> RecentDecisions::Hosts() const {
  std::vector<HostSeen> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [did, h] : hosts_) out.push_back(h);
  }
  std::stable_sort(out.begin(), out.end(), [](const HostSeen& a, const HostSeen& b) { return a.last_at > b.last_at; });
  return out;
}

}  // namespace vouch::validator
