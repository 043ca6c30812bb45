module github.com/rstlint/rstlint/corpus

go 1.26.0

// The corpus: the modules corpus/run.sh runs rstlint over, in the order of
// modules.txt. No package here imports them (hence "indirect"), so never run
// "go mod tidy" in this folder: it would drop them all. corpus/README.md says
// how to add one.
require (
	github.com/valyala/fasthttp v1.79.0 // indirect
	github.com/elazarl/goproxy v1.9.4 // indirect
	github.com/google/martian/v3 v3.3.3 // indirect
	github.com/caddyserver/caddy/v2 v2.11.9 // indirect
	golang.org/x/net v0.63.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/miekg/dns v1.1.73 // indirect
	github.com/inetaf/tcpproxy v0.0.0-20260515195445-c159a6051109 // indirect
	github.com/armon/go-socks5 v0.0.0-20160902184237-e75332964ef5 // indirect
	github.com/pires/go-proxyproto v0.15.0 // indirect
	github.com/soheilhy/cmux v0.1.5 // indirect
	github.com/cloudflare/tableflip v1.2.3 // indirect
	github.com/hashicorp/yamux v0.1.2 // indirect
	github.com/xtaci/smux v1.5.58 // indirect
	github.com/gliderlabs/ssh v0.3.8 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	github.com/pkg/sftp v1.13.12 // indirect
	github.com/jlaffaye/ftp v0.2.4 // indirect
	github.com/emersion/go-smtp v0.26.0 // indirect
	github.com/panjf2000/gnet/v2 v2.9.7 // indirect
	github.com/tidwall/evio v1.0.8 // indirect
	google.golang.org/grpc v1.85.0 // indirect
	github.com/nats-io/nats.go v1.56.0 // indirect
	github.com/hashicorp/memberlist v0.7.0 // indirect
	github.com/go-sql-driver/mysql v1.10.2 // indirect
	github.com/jackc/pgx/v5 v5.13.0 // indirect
	github.com/lib/pq v1.12.3 // indirect
	github.com/redis/go-redis/v9 v9.23.0 // indirect
	github.com/gomodule/redigo v1.9.3 // indirect
	github.com/tidwall/redcon v1.6.4 // indirect
)

// What the corpus needs to build. google.golang.org/genproto is lifted past
// the 2020 version that martian/v3 asks for, whose googleapis/api packages
// clash with google.golang.org/genproto/googleapis/api (an ambiguous import
// in grpc and caddy).
require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/anmitsu/go-shlex v0.0.0-20200514113438-38f4b401e2be // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/caddyserver/certmagic v0.25.6 // indirect
	github.com/caddyserver/zerossl v0.1.6 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
	github.com/google/btree v1.1.3 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/hashicorp/errwrap v1.1.0 // indirect
	github.com/hashicorp/go-immutable-radix v1.3.1 // indirect
	github.com/hashicorp/go-metrics v0.7.0 // indirect
	github.com/hashicorp/go-msgpack/v2 v2.1.5 // indirect
	github.com/hashicorp/go-multierror v1.1.1 // indirect
	github.com/hashicorp/go-sockaddr v1.0.7 // indirect
	github.com/hashicorp/golang-lru v1.0.2 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/kavu/go_reuseport v1.5.0 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/klauspost/cpuid/v2 v2.4.0 // indirect
	github.com/kr/fs v0.1.0 // indirect
	github.com/libdns/libdns v1.1.1 // indirect
	github.com/mholt/acmez/v3 v3.1.7 // indirect
	github.com/molecule-man/go-brrr v1.3.1 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/nats-io/nkeys v0.4.16 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/panjf2000/ants/v2 v2.11.3 // indirect
	github.com/prometheus/client_golang v1.24.1 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	github.com/prometheus/common v0.71.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/quic-go/qpack v0.6.0 // indirect
	github.com/quic-go/quic-go v0.63.0 // indirect
	github.com/sean-/seed v0.0.0-20170313163322-e2103e2c3529 // indirect
	github.com/tidwall/btree v1.1.0 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	github.com/zeebo/blake3 v0.2.4 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	go.uber.org/zap v1.28.0 // indirect
	go.uber.org/zap/exp v0.3.0 // indirect
	golang.org/x/crypto/x509roots/fallback v0.0.0-20261030153154-30a33513ff6d // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/term v0.48.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	golang.org/x/time v0.16.0 // indirect
	google.golang.org/genproto v0.0.0-20261110000943-09e21b237f2c // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261123191846-1e707ab9fbc2 // indirect
	google.golang.org/grpc/cmd/protoc-gen-go-grpc v1.6.2 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/natefinch/lumberjack.v2 v2.2.1 // indirect
)
