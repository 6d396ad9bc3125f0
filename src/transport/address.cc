#include "transport/address.h"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <charconv>

namespace pronto::detail {

namespace {

Result<std::uint16_t> parse_port(std::string_view s, std::string_view whole) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 65535) {
    return Status::invalid_argument("bad port in address '" + std::string(whole) + "'");
  }
  return static_cast<std::uint16_t>(v);
}

bool consume_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::string Address::authority() const {
  if (kind == Kind::unix_socket) return "localhost";
  std::string h = host.empty() ? "localhost" : host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

Result<Address> parse_address(std::string_view text) {
  std::string_view s = text;
  Address a;
  if (consume_prefix(s, "unix:")) {
    consume_prefix(s, "//");  // unix:///abs/path -> /abs/path
    if (s.empty()) return Status::invalid_argument("empty unix socket path");
    a.kind = Address::Kind::unix_socket;
    a.path = std::string(s);
    return a;
  }
  if (!consume_prefix(s, "ipv4:") && !consume_prefix(s, "ipv6:") && consume_prefix(s, "dns:")) {
    if (consume_prefix(s, "//")) {
      // dns://authority/host:port: skip the (DNS server) authority.
      auto slash = s.find('/');
      if (slash == std::string_view::npos) return Status::invalid_argument("bad dns target '" + std::string(text) + "'");
      s.remove_prefix(slash + 1);
    }
  }
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return Status::invalid_argument("bad IPv6 address '" + std::string(text) + "'");
    }
    a.host = std::string(s.substr(1, close - 1));
    auto port = parse_port(s.substr(close + 2), text);
    if (!port) return port.status();
    a.port = *port;
    return a;
  }
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return Status::invalid_argument("address '" + std::string(text) + "' has no port");
  if (s.find(':') != colon) return Status::invalid_argument("IPv6 address '" + std::string(text) + "' needs brackets");
  a.host = std::string(s.substr(0, colon));
  auto port = parse_port(s.substr(colon + 1), text);
  if (!port) return port.status();
  a.port = *port;
  return a;
}

Result<std::vector<Endpoint>> resolve(const Address& address, bool passive) {
  std::vector<Endpoint> out;
  if (address.kind == Address::Kind::unix_socket) {
    out.emplace_back(asio::local::stream_protocol::endpoint(address.path));
    return out;
  }
  asio::error_code ec;
  if (address.host.empty()) {
    out.emplace_back(asio::ip::tcp::endpoint(asio::ip::tcp::v6(), address.port));
    return out;
  }
  auto ip = asio::ip::make_address(address.host, ec);
  if (!ec) {
    out.emplace_back(asio::ip::tcp::endpoint(ip, address.port));
    return out;
  }
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  auto flags = passive ? asio::ip::resolver_base::passive : asio::ip::resolver_base::flags();
  auto results = resolver.resolve(address.host, std::to_string(address.port), flags, ec);
  if (ec) return Status::unavailable("cannot resolve '" + address.host + "': " + ec.message());
  for (const auto& r : results) out.emplace_back(r.endpoint());
  if (out.empty()) return Status::unavailable("no addresses for '" + address.host + "'");
  return out;
}

std::string peer_string(const Endpoint& endpoint) {
  const auto family = endpoint.protocol().family();
  if (family == AF_INET || family == AF_INET6) {
    asio::ip::tcp::endpoint tcp;
    std::memcpy(tcp.data(), endpoint.data(), endpoint.size());
    if (tcp.address().is_v6()) {
      auto v6 = tcp.address().to_v6();
      if (v6.is_v4_mapped()) {
        return "ipv4:" + asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string() + ":" +
               std::to_string(tcp.port());
      }
      return "ipv6:[" + v6.to_string() + "]:" + std::to_string(tcp.port());
    }
    return "ipv4:" + tcp.address().to_string() + ":" + std::to_string(tcp.port());
  }
  if (family == AF_UNIX) {
    asio::local::stream_protocol::endpoint local;
    std::memcpy(local.data(), endpoint.data(), endpoint.size());
    local.resize(endpoint.size());
    return "unix:" + local.path();
  }
  return "unknown";
}

}  // namespace pronto::detail
