// Whether the endpoint a validator registered on the ledger (what hosts and
// `vouch seal` dial) can reach the address vouchd listens on. A validator
// whose endpoint misses its listener is admitted but never answers: every
// start that counts on it loses one of its n, silently. vouchd says so at
// start (DESIGN §4).
#ifndef VOUCH_VALIDATOR_ENDPOINT_CHECK_H_
#define VOUCH_VALIDATOR_ENDPOINT_CHECK_H_

#include <optional>
#include <string>
#include <string_view>

namespace vouch::validator {

// `endpoint` is "http[s]://HOST[:PORT][/...]" (port 80/443 when absent);
// `listen_host` and `listen_port` are where vouchd is bound. Returns why
// they do not match, as a phrase for a warning, or nullopt when they may:
//   - an endpoint that is not an http(s) URL with a host;
//   - a different port;
//   - a loopback listener (127.0.0.0/8, ::1, localhost) behind an endpoint
//     that is not loopback: no other machine can connect.
// Hosts named differently are not compared otherwise (DNS may join them).
std::optional<std::string> EndpointMismatch(std::string_view endpoint, std::string_view listen_host,
                                            int listen_port);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_ENDPOINT_CHECK_H_
