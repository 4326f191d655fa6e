package checks

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// pingSocket is an ICMP socket: an unprivileged datagram socket where the
// kernel allows one, else a raw socket.
type pingSocket struct {
	conn  *icmp.PacketConn
	dgram bool // datagram socket: the kernel owns the echo id and filters replies
	v6    bool
}

// openPingSocket tries the unprivileged datagram socket first (allowed by
// net.ipv4.ping_group_range), then a raw socket (root or CAP_NET_RAW).
func openPingSocket(v4 bool) (*pingSocket, error) {
	dgram, raw, wildcard := "udp4", "ip4:icmp", "0.0.0.0"
	if !v4 {
		dgram, raw, wildcard = "udp6", "ip6:ipv6-icmp", "::"
	}
	if c, err := icmp.ListenPacket(dgram, wildcard); err == nil {
		return &pingSocket{conn: c, dgram: true, v6: !v4}, nil
	}
	c, err := icmp.ListenPacket(raw, wildcard)
	if err == nil {
		return &pingSocket{conn: c, v6: !v4}, nil
	}
	if errors.Is(err, os.ErrPermission) {
		return nil, fmt.Errorf("ping needs CAP_NET_RAW or net.ipv4.ping_group_range to include this group (gid %d): "+
			"run setcap cap_net_raw+ep on the vigil binary, or sysctl -w net.ipv4.ping_group_range=\"%d %d\"",
			os.Getgid(), os.Getgid(), os.Getgid())
	}
	return nil, fmt.Errorf("open icmp socket: %w", err)
}

// pingRun is one run of echo requests and the replies matched to them.
type pingRun struct {
	sock  *pingSocket
	dst   net.Addr
	from  netip.Addr
	id    int
	token []byte // random start of every payload, told apart from other pingers
	size  int

	mu      sync.Mutex
	pending map[int]time.Time // seq -> time sent
	sent    int
	sendErr error
	rtts    []time.Duration
}

func newPingRun(sock *pingSocket, addr netip.Addr, size int) *pingRun {
	token := make([]byte, min(size, 8))
	_, _ = crand.Read(token)
	p := &pingRun{sock: sock, from: addr, id: rand.IntN(0xffff) + 1, token: token, size: size, pending: map[int]time.Time{}}
	ip := net.IP(addr.AsSlice())
	if sock.dgram {
		p.dst = &net.UDPAddr{IP: ip, Zone: addr.Zone()}
		// The kernel replaces the id with the socket's port.
		if la, ok := sock.conn.LocalAddr().(*net.UDPAddr); ok {
			p.id = la.Port
		}
	} else {
		p.dst = &net.IPAddr{IP: ip, Zone: addr.Zone()}
	}
	return p
}

// run sends count requests interval apart and collects replies until all
// came back, replyTimeout after the last request, or ctx ends.
func (p *pingRun) run(ctx context.Context, count int, interval, replyTimeout time.Duration) {
	deadline := time.Now().Add(time.Duration(count-1)*interval + replyTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = p.sock.conn.SetReadDeadline(deadline)
	// A cancelled ctx wakes the reader at once.
	stop := context.AfterFunc(ctx, func() { _ = p.sock.conn.SetReadDeadline(time.Now()) })
	defer stop()
	done := make(chan struct{})
	defer close(done)
	go p.send(ctx, done, count, interval)
	p.receive(count)
}

func (p *pingRun) send(ctx context.Context, done <-chan struct{}, count int, interval time.Duration) {
	seq0 := rand.IntN(0x10000)
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := range count {
		if err := p.sendOne((seq0 + i) & 0xffff); err != nil {
			p.mu.Lock()
			p.sendErr = err
			p.mu.Unlock()
		}
		if i == count-1 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case <-t.C:
		}
	}
}

func (p *pingRun) sendOne(seq int) error {
	var typ icmp.Type = ipv4.ICMPTypeEcho
	if p.sock.v6 {
		typ = ipv6.ICMPTypeEchoRequest
	}
	payload := make([]byte, p.size)
	copy(payload, p.token)
	msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: p.id, Seq: seq, Data: payload}}
	b, err := msg.Marshal(nil)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.pending[seq] = time.Now()
	p.sent++
	p.mu.Unlock()
	_, err = p.sock.conn.WriteTo(b, p.dst)
	return err
}

// receive reads until count replies matched or the read deadline passed.
func (p *pingRun) receive(count int) {
	proto, reply := 1, icmp.Type(ipv4.ICMPTypeEchoReply)
	if p.sock.v6 {
		proto, reply = 58, ipv6.ICMPTypeEchoReply
	}
	buf := make([]byte, p.size+512)
	for {
		n, peer, err := p.sock.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		at := time.Now()
		m, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil || m.Type != reply {
			continue
		}
		echo, ok := m.Body.(*icmp.Echo)
		if !ok || !p.ours(echo, peer) {
			continue
		}
		p.mu.Lock()
		if sentAt, ok := p.pending[echo.Seq]; ok {
			delete(p.pending, echo.Seq)
			p.rtts = append(p.rtts, at.Sub(sentAt))
		}
		got := len(p.rtts)
		p.mu.Unlock()
		if got == count {
			return
		}
	}
}

// ours tells our replies from other processes': a raw socket sees every
// echo reply reaching the host.
func (p *pingRun) ours(echo *icmp.Echo, peer net.Addr) bool {
	if !p.sock.dgram && echo.ID != p.id {
		return false
	}
	if !bytes.HasPrefix(echo.Data, p.token) {
		return false
	}
	var ip net.IP
	switch a := peer.(type) {
	case *net.IPAddr:
		ip = a.IP
	case *net.UDPAddr:
		ip = a.IP
	}
	got, ok := netip.AddrFromSlice(ip)
	return ok && got.Unmap() == p.from.WithZone("")
}
