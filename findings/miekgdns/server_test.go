package miekgdns

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/rstlint/rstlint/findings/internal/findtest"
	"github.com/rstlint/rstlint/rsttest"
)

const module = "github.com/miekg/dns"

// fix is the smallest fix: (*response).Close half-closes and drains.
var fix = findtest.Fix{Module: module, File: "server.go", Diff: "testdata/fix.diff"}

// limit is the Server's default MaxTCPQueries: after that many queries
// serveTCPConn stops reading and closes the conn.
const limit = 128

// TestMaxTCPQueries: a client pipelines limit+1 queries on one TCP conn
// (RFC 7766 §6.2.1.1) and reads the answers more slowly than the server
// writes them. The server answers limit queries and closes with the last
// one unread: the kernel sends RST and discards the answers still in the
// server's send queue. With the fix the client gets all limit answers and
// EOF (and would retry the last query on a new conn, RFC 7766 §6.2.1).
func TestMaxTCPQueries(t *testing.T) {
	t.Run("upstream", func(t *testing.T) { scenario(t, false) })
	t.Run("fixed", func(t *testing.T) {
		if !findtest.Fixed() {
			fix.Run(t)
			return
		}
		scenario(t, true)
	})
}

func scenario(t *testing.T, fixed bool) {
	if !rsttest.EnterNetns(t) {
		return // ran in a private network namespace; its outcome is reported here
	}
	t.Logf("%s %s, fixed=%v", module, findtest.ModuleVersion(t, module), fixed)

	ln := findtest.Listen(t)
	started := make(chan struct{})
	srv := &dns.Server{
		Listener:          ln,
		Net:               "tcp",
		Handler:           dns.HandlerFunc(answer),
		NotifyStartedFunc: func() { close(started) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.ActivateAndServe() }()
	findtest.WaitFor(t, started, "the dns server's start")
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("ActivateAndServe: %v", err)
		}
	})

	tally := findtest.Tally{Fixed: fixed}
	for range findtest.Trials(t) {
		tally.Add(t, trial(t, ln))
		if t.Failed() {
			break
		}
	}
	tally.Report(t)
	if n := ln.Resets(t, module); fixed && n > 0 {
		t.Errorf("with the fix, %d Close(s) reset", n)
	}
}

// trial runs one client conn.
func trial(t *testing.T, ln *findtest.Listener) findtest.Outcome {
	rc := rsttest.CountResets()
	c := findtest.DialSlow(t, ln.Addr().String())
	if _, err := c.Write(queries(limit + 1)); err != nil {
		t.Fatalf("client write: %v", err)
	}
	sc := ln.Next(t)
	sc.WaitStopped(t) // the server has answered what it will and is closing
	c.Release()
	c.SetReadDeadline(time.Now().Add(findtest.Wait))
	answers, end := readAnswers(c)
	c.Close()
	sc.WaitClosed(t)
	return findtest.Outcome{
		Result:   rc.Result("github.com/miekg/dns.(*response).Close", c.Peer()),
		Written:  sc.Written(),
		Received: c.Received(),
		Complete: answers == limit && end == nil,
		Detail:   fmt.Sprintf("%d of %d answers, then %s", answers, limit, endText(end)),
	}
}

// answer answers a TXT query with a 200-byte TXT record (a 260-byte message).
func answer(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Answer = append(m.Answer, &dns.TXT{
		Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
		Txt: []string{strings.Repeat("x", 200)},
	})
	w.WriteMsg(m)
}

// queries returns n TXT queries framed for TCP (a 2-byte length each), ids 1..n.
func queries(n int) []byte {
	var b []byte
	for i := 1; i <= n; i++ {
		m := new(dns.Msg)
		m.SetQuestion(fmt.Sprintf("q%d.example.", i), dns.TypeTXT)
		m.Id = uint16(i)
		p, err := m.Pack()
		if err != nil {
			panic(err)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return b
}

// readAnswers reads framed answers until the conn ends: it returns how many
// arrived whole, in order, and how the conn ended (nil at EOF).
func readAnswers(r io.Reader) (int, error) {
	var n int
	for {
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
		p := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(r, p); err != nil {
			return n, err
		}
		m := new(dns.Msg)
		if err := m.Unpack(p); err != nil || m.Id != uint16(n+1) {
			return n, fmt.Errorf("answer %d: id %d, %v", n+1, m.Id, err)
		}
		n++
	}
}

func endText(err error) string {
	if err == nil {
		return "EOF"
	}
	return err.Error()
}
