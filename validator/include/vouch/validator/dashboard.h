// GET / (DESIGN §4 "Monitoring"): one self-contained HTML page for an
// operator — this validator's DID, version and uptime; the ledger's head
// and health (synced, last error, lag) and its latest revocations; the
// recent decisions, newest first (time, host, domain, approved or refused,
// code and reason); the hosts seen; the request and refusal counters.
//
// No script, no external asset: the page is rendered here, reloads itself
// every 10 s (meta refresh), and every value from outside (DIDs, domains,
// reasons, which quote clients' bytes) is HTML-escaped. The server also
// sends it with a Content-Security-Policy that allows no script at all.
#ifndef VOUCH_VALIDATOR_DASHBOARD_H_
#define VOUCH_VALIDATOR_DASHBOARD_H_

#include <string>
#include <string_view>

#include "vouch/validator/validator_status.h"

namespace vouch::validator {

// The Content-Security-Policy the page is served with.
inline constexpr char kDashboardCsp[] =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The page, UTF-8.
std::string RenderDashboard(const ValidatorStatus& status);

// `text` with & < > " ' as character references: safe in element content
// and in quoted attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_DASHBOARD_H_
