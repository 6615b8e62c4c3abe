#include "vouch/validator/dashboard.h"

#include <chrono>
#include <cstdio>

#include "vouch/core/errors.h"

namespace vouch::validator {
namespace {

constexpr char kStyle[] =
    "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em;margin:0}"
    "h2{font-size:1.1em;margin:1.4em 0 .4em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{font-size:.95em;word-break:break-all}.ok{color:#176f2c}"
    ".bad{color:#a51d2d;font-weight:bold}.muted{color:#777}.reason{max-width:40em}.time{white-space:nowrap}"
    ".counters{display:flex;flex-wrap:wrap;gap:0 2.5em}h3{font-size:1em;margin:.8em 0 .3em}";

std::string E(std::string_view s) { return HtmlEscape(s); }

// Seconds since the epoch as "2025-05-01T12:00:00Z".
std::string Time(int64_t at) {
  if (at == 0) return "never";
  std::string t = FormatRfc3339Utc(std::chrono::system_clock::time_point(std::chrono::seconds(at)));
  return t.substr(0, 19) + "Z";
}

std::string Duration(int64_t s) {
  if (s < 120) return StrCat(s, " s");
  if (s < 7200) return StrCat(s / 60, " min");
  if (s < 172800) return StrCat(s / 3600, " h ", (s % 3600) / 60, " min");
  return StrCat(s / 86400, " d ", (s % 86400) / 3600, " h");
}

std::string Row(std::initializer_list<std::string> cells) {
  std::string out = "<tr>";
  for (const std::string& c : cells) out += "<td>" + c + "</td>";
  return out + "</tr>";
}

std::string Head(std::initializer_list<std::string_view> names) {
  std::string out = "<tr>";
  for (std::string_view n : names) out += StrCat("<th>", n, "</th>");
  return out + "</tr>";
}

std::string Identity(const ValidatorStatus& s) {
  std::string out = StrCat("<h1>vouchd</h1><p>validator <code id=\"did\">", E(s.did), "</code></p>",
                           "<p>version <span id=\"version\">", E(s.version), "</span> · up <span id=\"uptime\">",
                           Duration(s.uptime_s), "</span> · as of ", Time(s.now),
                           " · replay cache ", s.replay_cache, " VCs</p>");
  if (s.fault != "none") {
    out += StrCat("<p class=\"bad\">fault injection active: ", E(s.fault), " (a test validator)</p>");
  }
  return out;
}

std::string Revocations(const LedgerHealth& h) {
  std::string out = StrCat("<p>revocations on the ledger: <span id=\"revocations\">", h.revocations, "</span></p>");
  if (h.latest_revocations.empty()) return out;
  out += "<table id=\"latest-revocations\">" + Head({"entry", "subject", "reason"});
  for (const RevocationSummary& r : h.latest_revocations) {
    out += Row({std::to_string(r.index), StrCat("<code>", E(r.subject), "</code>"),
                StrCat("<span class=\"reason\">", E(r.reason), "</span>")});
  }
  return out + "</table>";
}

std::string Ledger(const ValidatorStatus& s) {
  if (!s.ledger) return "<h2>Ledger</h2><p id=\"ledger\">none: this validator reads a --hosts file</p>";
  const LedgerHealth& h = *s.ledger;
  std::string health = h.synced ? "<span class=\"ok\">synced</span>" : "<span class=\"bad\">not synced</span>";
  std::string lag = h.last_sync_at == 0 ? "never synced" : StrCat(s.now - h.last_sync_at, " s ago");
  std::string out = StrCat("<h2>Ledger</h2><table id=\"ledger\">",
                           Row({"head", StrCat("entry <span id=\"ledger-head\">", h.head_index, "</span> <code>",
                                               E(h.head_digest_hex.substr(0, 16)), "…</code>")}),
                           Row({"health", StrCat("<span id=\"ledger-health\">", health, "</span>")}),
                           Row({"last verified sync", StrCat(Time(h.last_sync_at), " (", lag, ")")}));
  if (!h.last_error.empty()) {
    out += Row({"last error", StrCat(Time(h.last_error_at), ": <span class=\"bad\">", E(h.last_error), "</span> (",
                                     h.sync_failures, " failed syncs)")});
  }
  return out + "</table>" + Revocations(h);
}

std::string DecisionRow(const Decision& d) {
  std::string outcome = d.approved ? "<span class=\"ok\">approved</span>" : "<span class=\"bad\">refused</span>";
  return StrCat("<tr class=\"", d.approved ? "approved" : "refused", "\">",
                "<td class=\"time\">", Time(d.at), "</td><td>", E(d.kind.empty() ? "attest" : d.kind), "</td>",
                "<td><code>", E(d.host_did), "</code></td><td><code>", E(d.domain_uuid), "</code></td>",
                "<td>", outcome, "</td><td>", d.code ? E(CodeName(*d.code)) : "", "</td>",
                "<td class=\"reason\">", E(d.reason), "</td><td><code>", E(d.request_id), "</code></td></tr>");
}

std::string Decisions(const ValidatorStatus& s) {
  std::string out = StrCat("<h2>Recent decisions (", s.decisions.size(), ", newest first)</h2>");
  if (s.decisions.empty()) return out + "<p id=\"decisions\" class=\"muted\">none since start</p>";
  out += "<table id=\"decisions\">" +
         Head({"time", "kind", "host", "domain", "outcome", "code", "reason", "request id"});
  for (const Decision& d : s.decisions) out += DecisionRow(d);
  return out + "</table>";
}

std::string Hosts(const ValidatorStatus& s) {
  std::string out = StrCat("<h2>Hosts seen: <span id=\"hosts-seen\">", s.hosts.size(), "</span></h2>");
  if (s.hosts.empty()) return out;
  out += "<table id=\"hosts\">" + Head({"host", "last decision", "approved", "refused"});
  for (const HostSeen& h : s.hosts) {
    out += Row({StrCat("<code>", E(h.did), "</code>"), Time(h.last_at), std::to_string(h.approvals),
                std::to_string(h.refusals)});
  }
  return out + "</table>";
}

std::string CountTable(std::string_view id, std::string_view what, const std::map<std::string, uint64_t>& counts) {
  std::string out = StrCat("<table id=\"", id, "\">", Head({what, "count"}));
  for (const auto& [k, n] : counts) out += Row({E(k), std::to_string(n)});
  return out + "</table>";
}

std::string Counters(const ValidatorStatus& s) {
  const MetricsSnapshot& m = s.metrics;
  std::string http = StrCat("<table id=\"http-refusals\">", Head({"endpoint", "status", "count"}));
  for (const auto& [key, n] : m.http_refusals) http += Row({E(key.first), std::to_string(key.second), std::to_string(n)});
  http += "</table>";
  auto box = [](std::string_view title, const std::string& table) { return StrCat("<div><h3>", title, "</h3>", table, "</div>"); };
  return StrCat("<h2>Counters</h2><p>approvals: <span id=\"approvals\">", m.approvals, "</span></p>",
                "<div class=\"counters\">", box("Refusals by code", CountTable("refusals", "code", m.refusals)),
                box("HTTP refusals", http), box("Requests", CountTable("requests", "endpoint", m.requests)),
                box("Limits", CountTable("limited", "limit", m.limited)),
                box("Enrollments", CountTable("enrollments", "result", m.enrollments)), "</div>");
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string RenderDashboard(const ValidatorStatus& s) {
  return StrCat("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
                "<meta http-equiv=\"refresh\" content=\"10\"><title>vouchd ", E(s.did.substr(0, 24)),
                "…</title><style>", kStyle, "</style></head><body>", Identity(s), Ledger(s), Decisions(s), Hosts(s),
                Counters(s),
                "<p class=\"muted\"><a href=\"/metrics\">/metrics</a> (Prometheus) · /v1/status with "
                "Accept: application/json</p></body></html>");
}

}  // namespace vouch::validator
