"""Test certificates for the interop suite's TLS transport.

Made at test time with the openssl CLI into a private temporary directory, removed again
afterwards; nothing here is ever committed. Like grpc/grpc's interop testdata (ca.pem,
server1.pem), a CA signs a server certificate, whose names are:

    DNS:localhost, IP:127.0.0.1, DNS:foo.test.google.fr

and clients connect to localhost with --server_host_override=foo.test.google.fr, the name
the official interop tests verify against.

    with TestCerts() as certs:
        certs.server_flags()  # --use_tls=true --tls_cert_file=... --tls_key_file=...
        certs.client_flags()  # --use_tls=true --ca_file=... --server_host_override=...
"""

import os
import shutil
import subprocess
import tempfile

HOST_OVERRIDE = "foo.test.google.fr"
SERVER_NAMES = "DNS:localhost,IP:127.0.0.1,DNS:" + HOST_OVERRIDE

_SCRIPT = [
    # The CA: self-signed (basicConstraints CA:TRUE by openssl's default v3_ca).
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pronto-interop-test-ca",
     "-keyout", "ca.key", "-out", "ca.pem"],
    # The server's key and request, then its certificate signed by the CA.
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=*.test.google.fr", "-keyout", "server.key",
     "-out", "server.csr"],
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
     "-extfile", "server.ext", "-out", "server.pem"],
]
_SERVER_EXT = (f"subjectAltName={SERVER_NAMES}\nbasicConstraints=CA:FALSE\n"
               "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")


class TestCerts:
    """A CA and a server certificate in a temporary directory (removed by close())."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pronto-interop-certs-")
        try:
            with open(os.path.join(self.dir, "server.ext"), "w") as f:
                f.write(_SERVER_EXT)
            for args in _SCRIPT:
                result = subprocess.run(["openssl"] + args, cwd=self.dir, stdin=subprocess.DEVNULL,
                                        capture_output=True, text=True)
                if result.returncode != 0:
                    raise RuntimeError(f"openssl {' '.join(args[:2])} failed:\n{result.stderr}")
        except BaseException:
            self.close()
            raise
        self.ca = os.path.join(self.dir, "ca.pem")
        self.server_cert = os.path.join(self.dir, "server.pem")
        self.server_key = os.path.join(self.dir, "server.key")

    def server_flags(self):
        return ["--use_tls=true", f"--tls_cert_file={self.server_cert}", f"--tls_key_file={self.server_key}"]

    def client_flags(self):
        return ["--use_tls=true", f"--ca_file={self.ca}", f"--server_host_override={HOST_OVERRIDE}"]

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
