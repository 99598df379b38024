"""Test PKI for the NanoPhoto simulator, made with the `openssl` command line.

A fresh CA and one server certificate per start (EC P-256 by default: instant to make and
accepted by mbedTLS 2.28; RSA 2048 on request for builds without ECDSA)."""
import os
import secrets
import subprocess

SAN = ("DNS:localhost, IP:127.0.0.1, IP:::1, DNS:api.sim.test, DNS:static.sim.test, "
       "DNS:video.sim.test")

_CNF = """[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = NanoPhoto Simulator Test CA
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ srv ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, {usage}
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = {san}
"""


def _run(args):
    p = subprocess.run(["openssl"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], p.stderr.decode(errors="replace")))


def _genkey(path, key_type):
    if key_type == "rsa":
        _run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path])
    else:
        _run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])
    os.chmod(path, 0o600)


def make_certs(state_dir, key_type="ec", days=30):
    """Write ca.pem (+ ca.der, ca.key) and server.pem/server.key into state_dir.

    Returns a dict of absolute paths: ca, ca_der, cert, key."""
    d = os.path.abspath(state_dir)
    p = {n: os.path.join(d, f) for n, f in (
        ("cnf", "openssl.cnf"), ("ca_key", "ca.key"), ("ca", "ca.pem"), ("ca_der", "ca.der"),
        ("key", "server.key"), ("csr", "server.csr"), ("cert", "server.pem"))}
    usage = "digitalSignature, keyEncipherment" if key_type == "rsa" else "digitalSignature"
    with open(p["cnf"], "w") as f:
        f.write(_CNF.format(usage=usage, san=SAN))
    _genkey(p["ca_key"], key_type)
    _run(["req", "-config", p["cnf"], "-new", "-x509", "-sha256", "-days", str(days),
          "-key", p["ca_key"], "-extensions", "v3_ca", "-out", p["ca"]])
    _run(["x509", "-in", p["ca"], "-outform", "DER", "-out", p["ca_der"]])
    _genkey(p["key"], key_type)
    _run(["req", "-config", p["cnf"], "-new", "-key", p["key"], "-subj", "/CN=localhost",
          "-out", p["csr"]])
    _run(["x509", "-req", "-sha256", "-days", str(days), "-in", p["csr"], "-CA", p["ca"],
          "-CAkey", p["ca_key"], "-set_serial", "0x%x" % (secrets.randbits(62) | 1 << 62),
          "-extfile", p["cnf"], "-extensions", "srv", "-out", p["cert"]])
    os.unlink(p["csr"])
    return {k: p[k] for k in ("ca", "ca_der", "cert", "key")}
