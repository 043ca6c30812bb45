package pipes // want package:"hasConnFacts"

// Pipe helpers used from another package: what they leave running reaches
// their callers as facts.

import (
	"io"
	"net"
)

func copySignal(w, r net.Conn, errc chan<- error) {
	_, err := io.Copy(w, r)
	errc <- err
}

func copyHalfSignal(w, r *net.TCPConn, errc chan<- error) {
	_, err := io.Copy(w, r)
	w.CloseWrite()
	errc <- err
}

// Relay copies both ways and returns when the first direction ends: the
// other copy may still read either conn.
//
//proof:skip a pipe helper of another package, run through app.BadCrossRelay
func Relay(a, b net.Conn) error { // want Relay:"^conn p0 returns escaped escapes errdone leftreading; p1 returns escaped escapes errdone leftreading$"
	errc := make(chan error, 2)
	go copySignal(a, b, errc)
	go copySignal(b, a, errc)
	return <-errc
}

// RelayAll copies both ways, passes each EOF on and returns when both
// directions have ended.
//
//proof:skip a pipe helper of another package, run through app.GoodCrossRelayAll
func RelayAll(a, b *net.TCPConn) {
	errc := make(chan error, 2)
	go copyHalfSignal(a, b, errc)
	go copyHalfSignal(b, a, errc)
	<-errc
	<-errc
}

// Go runs f in a new goroutine that survives f's panic: a call of it is a
// go statement.
//
//proof:skip a goroutine helper of another package, run through app.BadCrossGo
func Go(f func()) { // want Go:"^launches p0$"
	go func() {
		defer func() { recover() }()
		f()
	}()
}
