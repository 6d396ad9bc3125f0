#include "transport/address.h"

#include <sys/un.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <cctype>
#include <charconv>
#include <optional>

namespace pronto::detail {

namespace {

bool is_ipv4(std::string_view s) {
  asio::error_code ec;
  (void)asio::ip::make_address_v4(std::string(s), ec);
  return !ec;
}
bool is_ipv6(std::string_view s) {
  asio::error_code ec;
  (void)asio::ip::make_address_v6(std::string(s), ec);
  return !ec;
}

constexpr std::uint16_t kDefaultPort = 443;  // gRPC's default for targets without a port
// sun_path holds 108 bytes; asio keeps one for a terminating NUL.
constexpr std::size_t kMaxUnixPath = sizeof(sockaddr_un{}.sun_path) - 1;

// One parse: the whole text (for messages) and whether it is a listen
// address (port required, 0 allowed, one address) or a channel target.
struct Parser {
  std::string_view whole;
  bool listen;

  Status fail(std::string_view what) const {
    return Status::invalid_argument(std::string(listen ? "bad listen address '" : "bad target '") +
                                    std::string(whole) + "': " + std::string(what));
  }

  static bool is_scheme(std::string_view s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
  }

  static bool is_dns_name(std::string_view s) {
    for (char c : s) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
    }
    return true;
  }

  Result<std::uint16_t> port(std::string_view s) const {
    if (s.empty()) return fail("empty port");
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v > 65535) {
      return fail("bad port '" + std::string(s) + "' (a number from " + (listen ? "0" : "1") + " to 65535)");
    }
    if (v == 0 && !listen) return fail("port 0 (a number from 1 to 65535)");
    return static_cast<std::uint16_t>(v);
  }

  // %XX decoding (as gRPC's URI parser does for paths). A '%' not followed
  // by two hex digits is an error.
  Result<std::string> percent_decode(std::string_view s) const {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '%') {
        out.push_back(s[i]);
        continue;
      }
      unsigned v = 0;
      if (i + 2 >= s.size()) return fail("bad percent-encoding (%XX)");
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || p != s.data() + i + 3) return fail("bad percent-encoding (%XX)");
      out.push_back(static_cast<char>(v));
      i += 2;
    }
    return out;
  }

  Result<Address> unix_path(std::string_view rest) const {
    if (rest.substr(0, 2) == "//") {
      rest.remove_prefix(2);  // unix:///abs/path -> /abs/path
      if (rest.empty() || rest.front() != '/') {
        return fail("unix:// must be followed by an absolute path (unix:///abs/path, or unix:relative/path)");
      }
    }
    auto path = percent_decode(rest);
    if (!path) return path.status();
    if (path->empty()) return fail("empty unix socket path");
    if (path->find('\0') != std::string::npos) return fail("NUL in unix socket path");
    if (path->size() > kMaxUnixPath) {
      return fail("unix socket path longer than " + std::to_string(kMaxUnixPath) + " bytes");
    }
    Address a;
    a.kind = Address::Kind::unix_socket;
    a.path = std::move(*path);
    return a;
  }

  Result<Address> unix_abstract(std::string_view rest) const {
    auto name = percent_decode(rest);
    if (!name) return name.status();
    if (name->empty()) return fail("empty abstract socket name");
    if (name->size() + 1 > kMaxUnixPath) {
      return fail("abstract socket name longer than " + std::to_string(kMaxUnixPath - 1) + " bytes");
    }
    Address a;
    a.kind = Address::Kind::unix_abstract;
    a.path = std::move(*name);
    return a;
  }

  enum class Literal { any, ipv4, ipv6 };

  // host[:port], [v6][:port]; an ipv6: literal may also be an unbracketed
  // address without a port. port_given tells whether a port was there.
  Result<Address> host_port(std::string_view s, Literal literal, bool& port_given) const {
    Address a;
    port_given = false;
    if (s.empty()) return fail(listen ? "missing host:port" : "missing host");
    std::string_view host, port_text;
    bool bracketed = false;
    if (s.front() == '[') {
      auto close = s.find(']');
      if (close == std::string_view::npos)
        return fail("unbalanced '[' (an IPv6 address is written [addr]:port)");
      host = s.substr(1, close - 1);
      bracketed = true;
      std::string_view after = s.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return fail("unexpected '" + std::string(after) + "' after ']'");
        port_given = true;
        port_text = after.substr(1);
      }
      if (host.empty()) return fail("empty IPv6 address in brackets");
    } else {
      if (s.find(']') != std::string_view::npos) return fail("unbalanced ']'");
      const auto colons = std::count(s.begin(), s.end(), ':');
      if (colons > 1) {
        if (literal != Literal::ipv6) {
          return fail("an IPv6 address needs brackets: [addr]:port");
        }
        host = s;  // ipv6:::1 (no port)
      } else if (colons == 1) {
        auto colon = s.find(':');
        host = s.substr(0, colon);
        port_given = true;
        port_text = s.substr(colon + 1);
      } else {
        host = s;
      }
    }
    if (port_given) {
      auto p = port(port_text);
      if (!p) return p.status();
      a.port = *p;
    } else if (listen) {
      return fail("no port (host:port; port 0 picks a free one)");
    } else {
      a.port = kDefaultPort;
    }
    switch (literal) {
      case Literal::ipv4:
        if (bracketed || !is_ipv4(host)) {
          return fail("'" + std::string(host) + "' is not an IPv4 address");
        }
        break;
      case Literal::ipv6:
        if (!is_ipv6(host)) return fail("'" + std::string(host) + "' is not an IPv6 address");
        break;
      case Literal::any:
        if (bracketed) {
          if (!is_ipv6(host)) return fail("'" + std::string(host) + "' is not an IPv6 address");
        } else if (host.empty()) {
          if (!listen) return fail("missing host");
        } else if (!is_dns_name(host)) {
          return fail("'" + std::string(host) + "' is not a host name");
        }
        break;
    }
    a.host = std::string(host);
    return a;
  }

  Status unsupported(std::string_view scheme) const {
    std::string what = "unsupported scheme '" + std::string(scheme) + "'";
    if (scheme == "http" || scheme == "https") {
      what += " (a gRPC target is host:port, without http://; TLS is ChannelOptions::tls)";
    } else {
      what += " (pronto knows dns, ipv4, ipv6, unix, unix-abstract)";
    }
    return fail(what);
  }
};

bool consume_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::string host_authority(const Address& a, bool with_port) {
  std::string h = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
  return with_port ? h + ":" + std::to_string(a.port) : h;
}

// Schemes of gRPC's naming (and URL schemes) that pronto does not resolve.
bool known_unsupported(std::string_view scheme) {
  return scheme == "vsock" || scheme == "xds" || scheme == "google-c2p" ||
         scheme == "google-c2p-experimental" || scheme == "http" || scheme == "https" || scheme == "grpc" ||
         scheme == "grpcs" || scheme == "ipv4+dns";
}

}  // namespace

std::string Address::authority() const {
  if (kind != Kind::tcp) return "localhost";
  Address a = *this;
  if (a.host.empty()) a.host = "localhost";
  return host_authority(a, true);
}

// What is left of a host target once "dns:" (and "//authority/", which is
// ignored: the system resolver answers) is taken off: s becomes the
// host[:port]. "scheme:..." for a scheme pronto does not know is an error
// if it reads as a URI ("x://") or is a scheme gRPC defines; otherwise (as
// gRPC does) the whole text is a host[:port] ("localhost:50051").
Status strip_dns_scheme(const Parser& p, std::string_view& s) {
  if (consume_prefix(s, "dns:")) {
    if (consume_prefix(s, "//")) {
      auto slash = s.find('/');
      if (slash == std::string_view::npos) return p.fail("dns:// needs a '/' before the host (dns:///host:port)");
      s.remove_prefix(slash + 1);
    }
    return {};
  }
  auto colon = s.find(':');
  if (colon != std::string_view::npos && Parser::is_scheme(s.substr(0, colon))) {
    std::string_view scheme = s.substr(0, colon);
    if (known_unsupported(scheme) || s.substr(colon + 1, 2) == "//") return p.unsupported(scheme);
  }
  return {};
}

Result<Target> parse_target(std::string_view text) {
  const Parser p{text, false};
  if (text.empty()) return p.fail("empty target");
  Target t;
  std::string_view s = text;
  auto single = [&](Result<Address> a) -> Result<Target> {
    if (!a) return a.status();
    t.authority = "localhost";
    t.addresses.push_back(std::move(*a));
    return std::move(t);
  };
  if (consume_prefix(s, "unix:")) return single(p.unix_path(s));
  if (consume_prefix(s, "unix-abstract:")) return single(p.unix_abstract(s));
  const bool ipv4 = consume_prefix(s, "ipv4:");
  const bool ipv6 = !ipv4 && consume_prefix(s, "ipv6:");
  if (ipv4 || ipv6) {
    if (s.empty()) return p.fail("no address");
    std::size_t index = 0;
    while (true) {
      auto comma = s.find(',');
      std::string_view element = s.substr(0, comma);
      bool port_given = false;
      auto a = p.host_port(element, ipv4 ? Parser::Literal::ipv4 : Parser::Literal::ipv6, port_given);
      if (!a) {
        if (element.empty()) return p.fail("empty address #" + std::to_string(index + 1) + " in the list");
        return Status(a.status().code(),
                      a.status().message() + " (address #" + std::to_string(index + 1) + ")");
      }
      t.addresses.push_back(std::move(*a));
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
      ++index;
    }
    t.authority = host_authority(t.addresses.front(), true);
    t.host = t.addresses.front().host;
    return t;
  }
  if (Status st = strip_dns_scheme(p, s); !st.ok()) return st;
  bool port_given = false;
  auto a = p.host_port(s, Parser::Literal::any, port_given);
  if (!a) return a.status();
  t.authority = host_authority(*a, port_given);
  t.host = a->host;
  t.addresses.push_back(std::move(*a));
  return t;
}

Result<Address> parse_listen_address(std::string_view text) {
  const Parser p{text, true};
  if (text.empty()) return p.fail("empty address");
  std::string_view s = text;
  if (consume_prefix(s, "unix:")) return p.unix_path(s);
  if (consume_prefix(s, "unix-abstract:")) return p.unix_abstract(s);
  auto literal = Parser::Literal::any;
  if (consume_prefix(s, "ipv4:")) {
    literal = Parser::Literal::ipv4;
  } else if (consume_prefix(s, "ipv6:")) {
    literal = Parser::Literal::ipv6;
  } else if (Status st = strip_dns_scheme(p, s); !st.ok()) {
    return st;
  }
  if (literal != Parser::Literal::any && s.find(',') != std::string_view::npos) {
    return p.fail("a listen address is one address (no ',' list)");
  }
  bool port_given = false;
  return p.host_port(s, literal, port_given);
}

Result<std::vector<Endpoint>> resolve(const Address& address, bool passive) {
  std::vector<Endpoint> out;
  if (address.kind != Address::Kind::tcp) {
    std::string path =
        address.kind == Address::Kind::unix_abstract ? std::string(1, '\0') + address.path : address.path;
    if (path.empty() || path.size() > kMaxUnixPath) {
      return Status::invalid_argument("unix socket path of " + std::to_string(path.size()) + " bytes");
    }
    out.emplace_back(asio::local::stream_protocol::endpoint(path));
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
    std::string path = local.path();
    if (!path.empty() && path.front() == '\0') return "unix-abstract:" + path.substr(1);
    return "unix:" + path;
  }
  return "unknown";
}

}  // namespace pronto::detail
