package rsttest

import (
	"fmt"
	"runtime"
	"strings"
)

// evidence is everything a scenario saw; result turns it into a verdict.
// Kept apart from the running so the rules can be tested on their own.
type evidence struct {
	network  string
	netns    bool
	netnsWhy string

	counters    Counters // deltas; nil when not counted
	countersErr error

	measured    bool // m holds the socket as it was just before its Close
	m           closeMeasure
	notMeasured string // why not, when !measured
	queued      int
	closedBy    string

	peer           PeerResult
	peerHalfClosed bool
	clientErr      error
	problems       []string
}

// result applies the evidence rules:
//
//   - RST is proved by what the kernel did: an ECONNRESET/EPIPE at the peer
//     (from a read, a write, or pending in SO_ERROR after its reads ended),
//     the peer's TCP socket in state CLOSE when it had not sent its own FIN,
//     a unix read after the close returning ECONNRESET, or Tcp OutRsts > 0 in
//     a private namespace.
//   - A peer that saw no error does not prove FIN: an RST that follows a FIN
//     is invisible to reads. FIN needs, for tcp, OutRsts+0 in a private
//     namespace; or, inferred, 0 bytes unread and no SO_LINGER 0 at the
//     measured Close, EOF at the peer and its socket not CLOSE. For unix, the
//     read after the close returning EOF again proves it: that close would
//     have set ECONNRESET, which a read reports before EOF.
//   - Anything else is Unknown, with the reason.
func (o evidence) result() Result {
	r := Result{
		Network:    o.network,
		Netns:      o.netns,
		Counters:   o.counters,
		Queued:     o.queued,
		Unread:     -1,
		ClosedBy:   o.closedBy,
		Peer:       o.peer,
		ClientErr:  o.clientErr,
		LingerZero: o.measured && o.m.lingerZero,
	}
	if o.measured {
		r.Unread = o.m.unread
	}
	if !o.netns {
		r.NoNetns = o.netnsWhy
	}
	cause := o.causeText()
	var proofs []string
	if isReset(o.peer.ReadErr) {
		proofs = append(proofs, fmt.Sprintf("peer Read after %d bytes: %s", o.peer.Received, errText(o.peer.ReadErr)))
	}
	if isReset(o.peer.WriteErr) {
		proofs = append(proofs, "peer Write: "+errText(o.peer.WriteErr))
	}
	// A peer that sent its FIN also ends in CLOSE after a graceful exchange.
	if o.peer.State == "CLOSE" && !o.peerHalfClosed {
		proofs = append(proofs, "peer socket in state CLOSE before its own Close (an RST arrived)")
	}
	if isReset(o.peer.AfterClose) {
		how := "peer socket error after the Close (SO_ERROR): "
		if o.network == "unix" {
			how = "peer Read after the Close: "
		}
		proofs = append(proofs, how+errText(o.peer.AfterClose))
	}
	counted := o.network == "tcp" && o.counters != nil
	if counted && o.counters.Resets() > 0 {
		proofs = append(proofs, fmt.Sprintf("%v in a %s", o.counters, o.netnsWhy))
	}
	if len(proofs) > 0 {
		r.Verdict = RST
		if counted && o.counters.Resets() == 0 {
			proofs = append(proofs, fmt.Sprintf("(yet the counters show %v)", o.counters))
		}
		r.Evidence = strings.Join(append(proofs, cause), "; ")
		return r
	}

	if len(o.problems) > 0 {
		r.Evidence = strings.Join(append(o.problems, cause), "; ")
		return r
	}
	if o.peer.ReadErr != nil {
		r.Evidence = fmt.Sprintf("the peer's read ended with %v, not EOF; %s", o.peer.ReadErr, cause)
		return r
	}
	eof := fmt.Sprintf("peer read EOF after %d bytes", o.peer.Received)

	switch {
	case counted:
		if o.counters.zero() {
			r.Verdict = FIN
			r.Evidence = fmt.Sprintf("%v in a %s; %s; %s", o.counters, o.netnsWhy, eof, cause)
		} else {
			r.Evidence = fmt.Sprintf("no RST sent but abort counters moved (%v); %s; %s", o.counters, eof, cause)
		}
	case o.network == "unix" && runtime.GOOS == "linux":
		r.Verdict = FIN
		r.Evidence = fmt.Sprintf("%s, and EOF again after the Close (a resetting close would have made it ECONNRESET); %s", eof, cause)
	case runtime.GOOS != "linux":
		r.Evidence = fmt.Sprintf("%s, which does not prove FIN, and %v", eof, errUnsupported)
	case !o.measured:
		r.Evidence = fmt.Sprintf("%s and saw no reset, which does not prove FIN: %s; %s", eof, cause, o.noCounters())
	case o.m.unread > 0 || o.m.lingerZero:
		r.Evidence = fmt.Sprintf("%s predicts RST, yet the peer saw none (a socket already CLOSED, after the peer's FIN and its ACK of ours, skips the reset); %s", cause, o.noCounters())
	case o.peer.State == "" || (o.peer.State == "CLOSE" && !o.peerHalfClosed):
		r.Evidence = fmt.Sprintf("%s, but the peer's TCP state is unknown; %s", eof, o.noCounters())
	default:
		r.Verdict = FIN
		r.Inferred = true
		state := o.peer.State
		if o.peerHalfClosed {
			state += " (it had half-closed)"
		}
		r.Evidence = fmt.Sprintf("inferred: %s; %s, peer socket %s; %s", cause, eof, state, o.noCounters())
	}
	return r
}

// causeText describes the socket at its Close: the RST causes the kernel checks.
func (o evidence) causeText() string {
	if !o.measured {
		if o.notMeasured != "" {
			return o.notMeasured
		}
		return "Close not measured"
	}
	var parts []string
	if o.queued >= 0 {
		parts = append(parts, fmt.Sprintf("%d bytes queued when the handler got the conn", o.queued))
	}
	parts = append(parts, fmt.Sprintf("%d bytes unread at Close (SIOCINQ)", o.m.unread))
	if o.network == "tcp" {
		if o.m.lingerZero {
			parts = append(parts, "SO_LINGER 0 at Close")
		} else {
			parts = append(parts, "SO_LINGER not 0")
		}
	}
	parts = append(parts, "closed by "+o.closedBy)
	return strings.Join(parts, ", ")
}

// noCounters says why no counters back the verdict.
func (o evidence) noCounters() string {
	if o.countersErr != nil {
		return fmt.Sprintf("no counters (%v)", o.countersErr)
	}
	return o.netnsWhy + ", so no counters show whether an RST followed"
}
