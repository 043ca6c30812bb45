package rsttest

// Verdict is what the kernel sent when the connection under test was closed.
type Verdict int

const (
	// Unknown means nothing could be concluded; Result.Evidence says why,
	// so a test can pass it to t.Skip.
	Unknown Verdict = iota
	// FIN means the close ended the connection gracefully: the peer read EOF
	// and no RST was sent.
	FIN
	// RST means the close reset the connection (for unix sockets: set the
	// peer's error to ECONNRESET, which is what an RST does to a TCP peer).
	RST
)

// String returns "Unknown", "FIN" or "RST".
func (v Verdict) String() string {
	switch v {
	case FIN:
		return "FIN"
	case RST:
		return "RST"
	}
	return "Unknown"
}
