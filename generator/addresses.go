package generator

import (
	"math/rand"
	"net/netip"
	"strconv"
)

// awsEC2Prefixes are IPv4 prefixes that AWS publishes for service "EC2" in
// each region of the aws partition: the four largest of each region in
// https://ip-ranges.amazonaws.com/ip-ranges.json (syncToken 1787411825,
// createDate 2026-08-22-15-17-05). Callers hosted on AWS (EC2 instance
// roles, Lambda functions, ECS tasks, CodeBuild builds) call from these
// addresses of their region; a region missing here takes us-east-1's.
var awsEC2Prefixes = map[string][]string{
	"af-south-1":     {"13.244.0.0/15", "13.246.0.0/16", "13.247.0.0/16", "15.103.0.0/16"},
	"ap-east-1":      {"16.162.0.0/15", "18.166.0.0/15", "43.198.0.0/15", "95.40.0.0/15"},
	"ap-east-2":      {"43.212.0.0/15", "54.54.0.0/16", "54.55.0.0/16", "5.60.0.0/20"},
	"ap-northeast-1": {"35.72.0.0/13", "3.112.0.0/14", "13.112.0.0/14", "13.196.0.0/14"},
	"ap-northeast-2": {"3.36.0.0/14", "43.200.0.0/14", "3.34.0.0/15", "15.164.0.0/15"},
	"ap-northeast-3": {"13.208.0.0/16", "15.152.0.0/16", "15.168.0.0/16", "16.208.0.0/16"},
	"ap-south-1":     {"3.108.0.0/14", "13.204.0.0/14", "13.232.0.0/14", "65.0.0.0/14"},
	"ap-south-2":     {"18.60.0.0/15", "16.112.0.0/16", "16.113.0.0/16", "98.130.0.0/16"},
	"ap-southeast-1": {"47.128.0.0/14", "3.0.0.0/15", "13.212.0.0/15", "13.214.0.0/15"},
	"ap-southeast-2": {"3.24.0.0/14", "3.104.0.0/14", "13.236.0.0/14", "13.54.0.0/15"},
	"ap-southeast-3": {"108.136.0.0/15", "15.232.0.0/16", "15.233.0.0/16", "16.78.0.0/16"},
	"ap-southeast-4": {"16.50.0.0/15", "16.26.0.0/16", "16.27.0.0/16", "16.140.0.0/16"},
	"ap-southeast-5": {"43.216.0.0/15", "56.69.0.0/16", "56.70.0.0/16", "56.68.0.0/17"},
	"ap-southeast-6": {"182.24.0.0/14", "3.102.0.0/15", "5.60.32.0/20", "23.254.8.0/21"},
	"ap-southeast-7": {"43.208.0.0/15", "43.210.0.0/15", "65.178.0.0/15", "18.97.80.0/20"},
	"ca-central-1":   {"3.96.0.0/15", "3.98.0.0/15", "15.156.0.0/15", "15.222.0.0/15"},
	"ca-west-1":      {"40.176.0.0/15", "16.174.0.0/16", "56.112.0.0/16", "18.99.128.0/20"},
	"eu-central-1":   {"3.64.0.0/12", "63.184.0.0/13", "99.200.0.0/13", "3.120.0.0/14"},
	"eu-central-2":   {"16.62.0.0/15", "16.18.0.0/16", "16.19.0.0/16", "51.34.0.0/16"},
	"eu-north-1":     {"13.48.0.0/15", "13.60.0.0/15", "13.62.0.0/15", "16.168.0.0/15"},
	"eu-south-1":     {"15.160.0.0/16", "15.161.0.0/16", "16.22.0.0/16", "18.102.0.0/16"},
	"eu-south-2":     {"18.100.0.0/15", "35.44.0.0/15", "51.48.0.0/15", "51.94.0.0/15"},
	"eu-west-1":      {"3.248.0.0/13", "34.240.0.0/13", "34.248.0.0/13", "52.208.0.0/13"},
	"eu-west-2":      {"3.8.0.0/14", "13.40.0.0/14", "18.132.0.0/14", "18.168.0.0/14"},
	"eu-west-3":      {"13.36.0.0/14", "15.236.0.0/15", "15.188.0.0/16", "15.224.0.0/16"},
	"il-central-1":   {"51.16.0.0/15", "16.164.0.0/16", "51.84.0.0/16", "51.85.0.0/16"},
	"me-central-1":   {"3.28.0.0/15", "158.252.0.0/15", "40.172.0.0/16", "51.112.0.0/16"},
	"me-south-1":     {"13.152.0.0/16", "15.184.0.0/16", "15.185.0.0/16", "16.24.0.0/16"},
	"mx-central-1":   {"78.12.0.0/15", "78.14.0.0/15", "18.97.96.0/20", "136.18.152.0/21"},
	"sa-east-1":      {"15.228.0.0/15", "54.20.0.0/15", "18.228.0.0/16", "18.229.0.0/16"},
	"us-east-1":      {"44.192.0.0/11", "3.80.0.0/12", "3.208.0.0/12", "3.224.0.0/12"},
	"us-east-2":      {"3.136.0.0/13", "3.144.0.0/13", "13.184.0.0/13", "3.16.0.0/14"},
	"us-west-1":      {"18.144.0.0/15", "52.52.0.0/15", "54.176.0.0/15", "3.101.0.0/16"},
	"us-west-2":      {"44.224.0.0/11", "34.208.0.0/12", "35.80.0.0/12", "32.184.0.0/13"},
}

// prefixRange is an IPv4 prefix as its first address and size.
type prefixRange struct{ first, size uint32 }

// regionPrefixes returns the EC2 prefixes of region (us-east-1's for a
// region not in the table).
func regionPrefixes(region string) []prefixRange {
	ps, ok := awsEC2Prefixes[region]
	if !ok {
		ps = awsEC2Prefixes["us-east-1"]
	}
	out := make([]prefixRange, len(ps))
	for i, s := range ps {
		p := netip.MustParsePrefix(s)
		a := p.Addr().As4()
		out[i] = prefixRange{
			first: uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]),
			size:  1 << (32 - p.Bits()),
		}
	}
	return out
}

// formatIPv4 formats the address v.
func formatIPv4(v uint32) string {
	b := make([]byte, 0, 15)
	for i := 3; i >= 0; i-- {
		b = strconv.AppendUint(b, uint64(v>>(8*i)&0xff), 10)
		if i > 0 {
			b = append(b, '.')
		}
	}
	return string(b)
}

// awsIP returns an address in one of ps, neither the first nor the last
// of its prefix.
func awsIP(r *rand.Rand, ps []prefixRange) string {
	p := ps[r.Intn(len(ps))]
	return formatIPv4(p.first + 1 + uint32(r.Int63n(int64(p.size-2))))
}

// publicIP returns a public-looking IPv4 address: it avoids private,
// loopback, link-local, CGNAT, multicast and reserved ranges.
func publicIP(r *rand.Rand) string {
	for {
		a, b := 1+r.Intn(223), r.Intn(256)
		switch {
		case a == 10, a == 127, a == 0,
			a == 172 && b >= 16 && b < 32,
			a == 192 && b == 168,
			a == 169 && b == 254,
			a == 100 && b >= 64 && b < 128,
			a == 192 && b == 0,
			a == 198 && (b == 18 || b == 19):
			continue
		}
		return formatIPv4(uint32(a)<<24 | uint32(b)<<16 | uint32(r.Intn(256))<<8 | uint32(1+r.Intn(254)))
	}
}

// natPool returns n consecutive public addresses: the egress pool of an
// office's or a VPN's NAT.
func natPool(r *rand.Rand, n int) []string {
	base := publicIP(r)
	a, _ := netip.ParseAddr(base)
	v := a.As4()
	first := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(1+r.Intn(250-n))
	pool := make([]string, n)
	for i := range pool {
		pool[i] = formatIPv4(first + uint32(i))
	}
	return pool
}

// vpcCIDR returns the first address and size of a VPC's private CIDR
// block: a /16 of 10.0.0.0/8, of 172.16.0.0/12 or 192.168.0.0/16.
func vpcCIDR(r *rand.Rand) prefixRange {
	switch x := r.Intn(20); {
	case x < 12:
		return prefixRange{first: 10<<24 | uint32(r.Intn(256))<<16, size: 1 << 16}
	case x < 17:
		return prefixRange{first: 172<<24 | uint32(16+r.Intn(16))<<16, size: 1 << 16}
	}
	return prefixRange{first: 192<<24 | 168<<16, size: 1 << 16}
}
