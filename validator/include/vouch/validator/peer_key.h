// Which peer a connection or request comes from, for the per-peer limits of
// vouchd's HTTP API (server.h): an IPv4 address as it is ("192.0.2.7"), an
// IPv4-mapped IPv6 address as its IPv4 address, any other IPv6 address as
// its /64 ("2001:db8:1:2::/64"; one machine usually holds a whole /64, so
// per-address limits on IPv6 would limit nothing). Text that is not an IP
// address is returned as it is.
#ifndef VOUCH_VALIDATOR_PEER_KEY_H_
#define VOUCH_VALIDATOR_PEER_KEY_H_

#include <string>
#include <string_view>

namespace vouch::validator {

std::string PeerKey(std::string_view address);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_PEER_KEY_H_
