// Test PKI generated at test time with the openssl CLI (never committed):
// a CA, a server certificate for localhost / 127.0.0.1 / pronto.test, a
// client certificate (CN test-client), and an unrelated CA.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace pronto::test {

struct TestCerts {
  std::filesystem::path dir;
  std::string ca, server_cert, server_key, client_cert, client_key, other_ca;

  TestCerts() {
    dir = std::filesystem::temp_directory_path() / ("pronto-certs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto p = [&](const char* f) { return (dir / f).string(); };
    ca = p("ca.pem");
    server_cert = p("server.pem");
    server_key = p("server.key");
    client_cert = p("client.pem");
    client_key = p("client.key");
    other_ca = p("other-ca.pem");
    const std::string d = dir.string();
    const std::string script =
        "set -e; cd '" + d + "'; exec >/dev/null 2>&1\n"
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=pronto-test-ca -keyout ca.key -out ca.pem\n"
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=other-ca -keyout other-ca.key -out other-ca.pem\n"
        "printf 'subjectAltName=DNS:localhost,DNS:pronto.test,IP:127.0.0.1\\n' > server.ext\n"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=pronto-test-server -keyout server.key -out server.csr\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext "
        "-out server.pem\n"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=test-client -keyout client.key -out client.csr\n"
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem\n";
    if (std::system(("bash -c \"$(cat <<'PRONTO_EOF'\n" + script + "PRONTO_EOF\n)\"").c_str()) != 0) {
      throw std::runtime_error("openssl failed to make test certificates");
    }
  }
  ~TestCerts() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace pronto::test
