# lib-tls.sh: throwaway certificates for the TLS tests, made with openssl.
#
# Source it after test-lib.sh, then make the set a test needs:
#
#	. "$(dirname "$0")/test-lib.sh"
#	. "$SRC_DIR/t/lib-tls.sh"
#	tls_have || test_skip_all "openssl is missing"
#	tls_setup
#
# tls_setup makes, in $TLS_DIR ($TRASH_DIRECTORY/tls), with EC P-256 keys
# (fast: the whole set takes a fraction of a second):
#
#	TLS_CA			ca.crt: the test CA; give it to the client
#				(--cacert) to trust the certificates below
#	TLS_CERT, TLS_KEY	server.crt, server.key: signed by the test CA,
#				subjectAltName DNS:localhost and IP:127.0.0.1
#	TLS_OTHER_CA		other-ca.crt: a second, unrelated CA
#	TLS_OTHER_CERT,		other.crt, other.key: signed by the other CA,
#	  TLS_OTHER_KEY		same names as server.crt; a client trusting
#				only TLS_CA must refuse it
#	TLS_BADNAME_CERT,	badname.crt, badname.key: signed by the test
#	  TLS_BADNAME_KEY	CA for DNS:example.invalid only; a client that
#				checks the name must refuse it on 127.0.0.1
#
# and exports these variables.  The certificates are valid from now for 7
# days (TLS checks the real clock; no test pins it for this).
#
# The building blocks, for a test that wants more:
#
#	tls_have		status 0 if openssl (3.0 or later: req -x509
#				-CA) is there
#	tls_make_ca NAME SUBJECT
#				NAME.key, NAME.crt: a self-signed CA
#	tls_make_cert NAME CA SAN
#				NAME.key, NAME.crt: a server certificate
#				signed by CA (CA.crt, CA.key), subjectAltName
#				SAN (e.g. "DNS:localhost,IP:127.0.0.1")
#
# Both work in the current directory (NAME.cnf is the openssl
# configuration each was made with), and print openssl's messages only when
# it fails.

tls_have () {
	command -v openssl >/dev/null 2>&1 &&
	case $(openssl version) in
	"OpenSSL "[012].*|LibreSSL*) return 1 ;;
	esac
}

# tls_run CMD...: run openssl quietly; show its messages if it fails.
tls_run () {
	"$@" >tls.log 2>&1 && return 0
	echo "lib-tls: failed: $*" >&2
	cat tls.log >&2
	return 1
}

# tls_conf CN SAN: the configuration of one certificate.  openssl's own
# configuration file (/etc/ssl/openssl.cnf) is not read: the
# certificates depend on nothing but this file.
tls_conf () {
	cat <<-EOF
	[req]
	distinguished_name = dn
	prompt = no
	[dn]
	CN = $1
	[ca]
	basicConstraints = critical, CA:TRUE
	keyUsage = critical, keyCertSign, cRLSign
	subjectKeyIdentifier = hash
	[server]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature
	extendedKeyUsage = serverAuth
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid
	subjectAltName = $2
	EOF
}

# tls_req NAME CNF-SECTION [OPENSSL-OPTION...]: a new P-256 key NAME.key
# and a certificate NAME.crt, in one run of openssl (3.0's req -x509 signs
# with -CA as well).
tls_req () {
	tls_n=$1 tls_s=$2
	shift 2
	tls_run openssl req -new -x509 -config "$tls_n.cnf" -extensions "$tls_s" \
	    -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc \
	    -keyout "$tls_n.key" -days 7 -sha256 -out "$tls_n.crt" "$@"
}

tls_make_ca () {
	tls_conf "$2" DNS:unused >"$1.cnf" &&
	tls_req "$1" ca
}

tls_make_cert () {
	tls_conf localhost "$3" >"$1.cnf" &&
	tls_req "$1" server -CA "$2.crt" -CAkey "$2.key"
}

tls_setup () {
	TLS_DIR=$TRASH_DIRECTORY/tls
	mkdir -p "$TLS_DIR" &&
	(
		cd "$TLS_DIR" &&
		tls_make_ca ca "liu test CA" &&
		tls_make_cert server ca "DNS:localhost,IP:127.0.0.1" &&
		tls_make_ca other-ca "liu other test CA" &&
		tls_make_cert other other-ca "DNS:localhost,IP:127.0.0.1" &&
		tls_make_cert badname ca "DNS:example.invalid"
	) || return 1
	TLS_CA=$TLS_DIR/ca.crt
	TLS_CERT=$TLS_DIR/server.crt TLS_KEY=$TLS_DIR/server.key
	TLS_OTHER_CA=$TLS_DIR/other-ca.crt
	TLS_OTHER_CERT=$TLS_DIR/other.crt TLS_OTHER_KEY=$TLS_DIR/other.key
	TLS_BADNAME_CERT=$TLS_DIR/badname.crt
	TLS_BADNAME_KEY=$TLS_DIR/badname.key
	export TLS_DIR TLS_CA TLS_CERT TLS_KEY TLS_OTHER_CA TLS_OTHER_CERT \
	    TLS_OTHER_KEY TLS_BADNAME_CERT TLS_BADNAME_KEY
}
