package closer // want package:"hasConnFacts" package:"delegatedCloses"

// closer is a helper in another package than its callers, for
// traceforms: it closes the conn it is given, for its caller to judge.

import "net"

// Close closes c.
//
//proof:skip a helper of another package, run through traceforms.CrossPackage
func Close(c net.Conn) { // want Close:"^conn p0 closes unread returns closed$"
	c.Close()
}
