#!/bin/sh
# Generate the test PKI for test_tls into directory $1 (must exist).
# EC P-256 keys keep generation fast.  Produces:
#   ca.crt ca.der        test CA (the trust anchor of most cases)
#   good.{crt,key}       DNS:localhost, IP:127.0.0.1, IP:::1, signed by ca
#   unk.{crt,key}        same names, signed by an unknown CA (uca.crt)
#   wrong.{crt,key}      DNS:wrong.example only, signed by ca
#   expired.{crt,key}    localhost + 127.0.0.1, valid 2020..2021, signed by ca
#   future.{crt,key}     localhost + 127.0.0.1, valid 2090..2091, signed by ca
#   client.{crt,key}     localhost + 127.0.0.1, extendedKeyUsage clientAuth only
#   bundle.pem           uca.crt then ca.crt (two anchors in one file)
#   int.crt              an intermediate CA under ca
#   chained.{crt,key}    localhost + 127.0.0.1, signed by int (served alone: a
#                        chain missing its intermediate; with int.crt: complete)
#   rsa1024.{crt,key}    localhost + 127.0.0.1, an RSA-1024 key, signed by ca
#   sha1.{crt,key}       localhost + 127.0.0.1, signed by ca with SHA-1
set -eu
d=$1
cd "$d"
mkdir -p db
: > db/index.txt
echo 1000 > db/serial

cat > ca.cnf <<'EOF'
[ ca ]
default_ca = tca
[ tca ]
dir = db
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
default_days = 30
policy = pol
unique_subject = no
copy_extensions = none
[ pol ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ srv ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ srv_wrong ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ srv_rsa ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ srv_client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
ca() { # name CN
    key "$1"
    openssl req -config ca.cnf -new -x509 -key "$1.key" -subj "/CN=$2" -days 30 \
        -extensions v3_ca -out "$1.crt"
}
# leaf name CA-name extensions [startdate enddate]
leaf() {
    [ -f "$1.key" ] || key "$1"
    openssl req -config ca.cnf -new -key "$1.key" -subj "/CN=$1 test" -out "$1.csr"
    if [ $# -ge 5 ]; then
        dates="-startdate $4 -enddate $5"
    else
        dates="-days 30"
    fi
    # shellcheck disable=SC2086
    openssl ca -config ca.cnf -batch -notext -cert "$2.crt" -keyfile "$2.key" \
        -extensions "$3" $dates ${MD:+-md $MD} -in "$1.csr" -out "$1.crt" 2>/dev/null
}

ca ca "libtvc test CA"
ca uca "libtvc unknown CA"
leaf good ca srv
leaf unk uca srv
leaf wrong ca srv_wrong
leaf expired ca srv 20200101000000Z 20210101000000Z
leaf future ca srv 20900101000000Z 20910101000000Z
leaf client ca srv_client
openssl x509 -in ca.crt -outform DER -out ca.der
cat uca.crt ca.crt > bundle.pem
# the weak and incomplete cases of the TLS security tests
leaf int ca v3_int
leaf chained int srv
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key 2>/dev/null
leaf rsa1024 ca srv_rsa
MD=sha1
leaf sha1 ca srv
