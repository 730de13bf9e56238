package generator

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/firetrail/firetrail/schemas"
)

// pkind is the kind of a principal: who it is and how it calls Firehose.
type pkind uint8

const (
	pRootConsole      pkind = iota // Root in the console (browser, tlsDetails)
	pUserCLI                       // IAMUser with an AKIA key and the AWS CLI
	pUserConsole                   // IAMUser console session, proxied by the console
	pSSOConsole                    // AssumedRole of an Identity Center permission set, console in a browser
	pTerraformOIDC                 // AssumedRole via web identity (GitHub Actions), Terraform
	pCloudFormation                // AssumedRole used by CloudFormation (invokedBy)
	pEC2Monitor                    // AssumedRole of an EC2 instance profile, boto3 polling (regional)
	pLambdaProducer                // AssumedRole of a Lambda function, boto3 PutRecordBatch (regional)
	pJavaProducer                  // AssumedRole of an app on EC2, Java SDK PutRecord (regional)
	pECSProducer                   // AssumedRole of an ECS task, Go SDK PutRecordBatch (regional)
	pCodeBuild                     // AssumedRole of a CodeBuild project, AWS CLI in a pipeline (regional)
	pFederatedPartner              // FederatedUser (GetFederationToken), Java SDK
	pService                       // AWSService: CloudWatch Logs delivering for you
	pInternal                      // AWS Internal: {accountId, invokedBy "AWS Internal"}, no type
	pAuditor                       // IAMUser, read-only by policy: writes are denied
	pCrossAccount                  // AWSAccount: a principal of another account (IdentitiesAll)
	pIdentityCenter                // IdentityCenterUser (IdentitiesAll)
	pRole                          // Role: role credentials without a session (IdentitiesAll)
	numKinds
)

// client is the program a principal calls with.
type client uint8

const (
	clientCLI client = iota
	clientConsoleProxy
	clientBrowser
	clientTerraform
	clientCloudFormation
	clientBoto3
	clientBoto3Lambda
	clientJava
	clientGoSDK
	clientGoSDKECS
	clientCodeBuildCLI
	clientService
	clientInternal
)

// kindInfo is what a principal kind may do and how often it is picked.
type kindInfo struct {
	client        client
	read, write   float64 // weights for read and write activities
	data          float64 // weight for data events
	temporary     bool    // ASIA keys and a session that renews
	sessionLength time.Duration
	regional      bool // hosted on AWS in one region: one principal per region
	human         bool // a person: office, VPN, home and roaming addresses
	wholeUpdate   bool // sends the whole destination configuration in UpdateDestination
}

var kinds = [numKinds]kindInfo{
	pRootConsole:      {client: clientBrowser, read: 0.3, write: 0.2, temporary: true, sessionLength: 2 * time.Hour, human: true, wholeUpdate: true},
	pUserCLI:          {client: clientCLI, read: 3, write: 2, human: true},
	pUserConsole:      {client: clientConsoleProxy, read: 2, write: 1, temporary: true, sessionLength: 8 * time.Hour, human: true, wholeUpdate: true},
	pSSOConsole:       {client: clientBrowser, read: 3, write: 1.5, temporary: true, sessionLength: 8 * time.Hour, human: true, wholeUpdate: true},
	pTerraformOIDC:    {client: clientTerraform, read: 2, write: 3, temporary: true, sessionLength: time.Hour, wholeUpdate: true},
	pCloudFormation:   {client: clientCloudFormation, read: 0.5, write: 2, temporary: true, sessionLength: time.Hour, wholeUpdate: true},
	pEC2Monitor:       {client: clientBoto3, read: 2.5, temporary: true, sessionLength: 6 * time.Hour, regional: true},
	pLambdaProducer:   {client: clientBoto3Lambda, read: 0.2, data: 4, temporary: true, sessionLength: 12 * time.Hour, regional: true},
	pJavaProducer:     {client: clientJava, read: 0.5, data: 3, temporary: true, sessionLength: 6 * time.Hour, regional: true},
	pECSProducer:      {client: clientGoSDKECS, read: 0.3, data: 2, temporary: true, sessionLength: 6 * time.Hour, regional: true},
	pCodeBuild:        {client: clientCodeBuildCLI, read: 0.6, write: 0.8, temporary: true, sessionLength: time.Hour, regional: true},
	pFederatedPartner: {client: clientJava, read: 0.3, data: 1, temporary: true, sessionLength: 12 * time.Hour},
	pService:          {client: clientService, data: 2},
	pInternal:         {client: clientInternal, read: 0.3},
	pAuditor:          {client: clientCLI, read: 1, human: true},
	pCrossAccount:     {client: clientGoSDK, read: 0.3, data: 0.6},
	pIdentityCenter:   {client: clientBrowser, read: 0.4, human: true},
	pRole:             {client: clientJava, read: 0.3},
}

// principal is one caller. Its identity is rebuilt when its session
// renews; records share the identity's pointers, which are never mutated.
type principal struct {
	kind  pkind
	acct  *account
	home  *regionState // where a regional principal runs; nil for others
	ident schemas.UserIdentity
	ip    string
	vpce  string // VPC endpoint id when the caller goes through one
	tls13 bool

	// addresses
	homeIP  string   // a person's home ISP address
	ipUntil int64    // written unix seconds (outUnix): a person stays at ip until then
	pool    []string // a Lambda function's execution environments, a partner's egress

	// temporary credentials
	sessionEnd int64 // written unix seconds (outUnix); renew when reached
	roleName   string
	roleID     string // AROA… or AIDA… of the issuer
	issuer     *schemas.SessionIssuer
	sessionFor func(p *principal, w *sim) string // next session name
	webID      *schemas.WebIDFederationData

	uaBase string // the user agent, or its prefix for the CLI
	ua     [numActions]string
}

// account is one AWS account of the world.
type account struct {
	id         string
	alias      string
	offices    []string     // egress addresses (NAT pools) of its offices
	vpn        []string     // egress addresses of its VPN
	principals []*principal // callers that are not regional
	byKind     [numKinds][]*principal
	regions    []*regionState
	weight     float64
}

// regionState is the delivery streams of one account in one region.
type regionState struct {
	name     string
	acct     *account
	weight   float64
	live     []*stream
	deleted  []*stream // recently deleted, most recent last (bounded)
	list     [3][]byte // ListDeliveryStreams request variants
	tls12    *schemas.TLSDetails
	tls13    *schemas.TLSDetails
	own      []*principal  // regional principals running here
	cum      [3][]float64  // cumulative caller weights per activity class
	prefixes []prefixRange // AWS's EC2 address prefixes of the region
	vpc      prefixRange   // the account's VPC in the region
	vpce     string        // its Firehose interface endpoint
}

// regionWeight is the popularity of a region (a heuristic, unverified).
func regionWeight(name string, index int) float64 {
	switch name {
	case "us-east-1":
		return 5
	case "us-west-2", "eu-west-1":
		return 2
	case "eu-central-1":
		return 1.5
	}
	if index == 0 {
		return 3
	}
	return 1
}

// hostIP returns an address for a caller hosted in rs: a private address
// of the account's VPC when it calls through the VPC endpoint, else a
// public address of AWS's EC2 prefixes of the region.
func (w *sim) hostIP(p *principal) string {
	rs := p.home
	if p.vpce != "" {
		return formatIPv4(rs.vpc.first + 1 + uint32(w.r.Intn(int(rs.vpc.size-2))))
	}
	return awsIP(w.r, rs.prefixes)
}

// place sets p.ip for a call at t: people move between their office, the
// VPN, home and elsewhere; Lambda functions run in several execution
// environments that come and go; a partner spreads calls over its egress
// addresses. Other callers keep the address their session set.
func (p *principal) place(w *sim, t int64) {
	r := w.r
	switch {
	case kinds[p.kind].human:
		// By the written time, as sessions (see refresh).
		now := w.outUnix(t)
		if now < p.ipUntil {
			return
		}
		p.ipUntil = now + 1800 + r.Int63n(4*3600)
		a := p.acct
		switch x := r.Intn(100); {
		case x < 45:
			p.ip = a.offices[r.Intn(len(a.offices))]
		case x < 65:
			p.ip = a.vpn[r.Intn(len(a.vpn))]
		case x < 92:
			if r.Intn(8) == 0 {
				p.homeIP = publicIP(r) // the ISP gave the home a new address
			}
			p.ip = p.homeIP
		default:
			p.ip = publicIP(r) // travelling: a hotel, a phone, a café
		}
	case p.kind == pLambdaProducer:
		i := r.Intn(len(p.pool))
		if r.Intn(12) == 0 {
			p.pool[i] = w.hostIP(p) // an execution environment replaced
		}
		p.ip = p.pool[i]
	case p.kind == pFederatedPartner:
		p.ip = p.pool[r.Intn(len(p.pool))]
	case p.kind == pCrossAccount:
		p.ip = awsIP(r, w.regions[0].prefixes)
	}
}

// accountID returns a 12-digit account id.
func accountID(r *rand.Rand) string {
	return fmt.Sprintf("%012d", 100000000000+r.Int63n(899999999999))
}

func formatDate(unix int64) string {
	return time.Unix(unix, 0).UTC().Format("2006-01-02T15:04:05Z")
}

// newAccount builds an account and its principals that are not
// regional (addRegional adds those once the account has its regions).
func (w *sim) newAccount(id string) *account {
	f, r := w.fake, w.r
	a := &account{id: id, weight: 0.5 + r.Float64()}
	a.alias = slug(f.Company())
	for range 2 + r.Intn(2) {
		a.offices = append(a.offices, natPool(r, 3+r.Intn(6))...)
	}
	a.vpn = natPool(r, 4+r.Intn(5))
	add := func(k pkind, n int) {
		for range n {
			w.newPrincipal(a, k, nil)
		}
	}
	add(pRootConsole, 1)
	add(pUserCLI, 2+r.Intn(3))
	add(pUserConsole, 1)
	add(pSSOConsole, 2+r.Intn(2))
	add(pTerraformOIDC, 1)
	add(pCloudFormation, 1)
	add(pFederatedPartner, 1)
	add(pService, 1)
	add(pInternal, 1)
	add(pAuditor, 1)
	if w.cfg.Identities == IdentitiesAll {
		add(pCrossAccount, 1)
		add(pIdentityCenter, 1)
		add(pRole, 1)
	}
	return a
}

// addRegional sets up rs's network (AWS prefixes, a VPC and its Firehose
// endpoint) and the principals that run in it.
func (w *sim) addRegional(rs *regionState) {
	r := w.r
	rs.prefixes = regionPrefixes(rs.name)
	rs.vpc = vpcCIDR(r)
	rs.vpce = "vpce-0" + hexString(r, 16)
	add := func(k pkind, n int) {
		for range n {
			w.newPrincipal(rs.acct, k, rs)
		}
	}
	add(pEC2Monitor, 1+r.Intn(2))
	add(pLambdaProducer, 1+r.Intn(2))
	add(pJavaProducer, 1)
	add(pECSProducer, 1)
	add(pCodeBuild, 1)
}

// slug turns s into lower-case letters, digits and single hyphens, for
// names that go into ARNs.
func slug(s string) string {
	b := make([]byte, 0, len(s))
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b = append(b, byte(c))
		case len(b) > 0 && b[len(b)-1] != '-':
			b = append(b, '-')
		}
	}
	return strings.Trim(string(b), "-")
}

func userName(f *gofakeit.Faker) string {
	return slug(f.FirstName()) + "." + slug(f.LastName())
}

// newPrincipal makes a principal of kind k in a (running in home for a
// regional kind) and adds it to a.
func (w *sim) newPrincipal(a *account, k pkind, home *regionState) *principal {
	f, r := w.fake, w.r
	p := &principal{kind: k, acct: a, home: home, tls13: r.Intn(4) != 0}
	if kinds[k].human {
		p.homeIP = publicIP(r)
		p.ip = a.offices[r.Intn(len(a.offices))]
	}
	if home != nil && k != pCodeBuild && r.Intn(3) == 0 {
		p.vpce = home.vpce // a workload in a VPC with a Firehose endpoint
	}
	id := &p.ident
	switch k {
	case pRootConsole:
		p.issuer = &schemas.SessionIssuer{}
		p.webID = &schemas.WebIDFederationData{}
		id.Type = schemas.IdentityRoot
		id.PrincipalID = a.id
		id.ARN = "arn:aws:iam::" + a.id + ":root"
		id.AccountID = a.id
		p.sessionFor = func(*principal, *sim) string { return "" }
	case pUserCLI, pAuditor:
		name := userName(f)
		if k == pAuditor {
			name = "audit-" + slug(f.LastName())
		}
		id.Type = schemas.IdentityIAMUser
		id.PrincipalID = uniqueID(r, "AIDA")
		id.ARN = "arn:aws:iam::" + a.id + ":user/" + name
		id.AccountID = a.id
		id.AccessKeyID = accessKeyID(r, false)
		id.UserName = name
	case pUserConsole:
		name := userName(f)
		id.Type = schemas.IdentityIAMUser
		id.PrincipalID = uniqueID(r, "AIDA")
		id.ARN = "arn:aws:iam::" + a.id + ":user/" + name
		id.AccountID = a.id
		id.UserName = name
		p.sessionFor = func(*principal, *sim) string { return "" }
	case pSSOConsole:
		sets := [...]string{"AdministratorAccess", "PowerUserAccess", "DataEngineer", "ReadOnlyAccess"}
		email := userName(f) + "@" + a.alias + ".com"
		p.roleName = "AWSReservedSSO_" + sets[r.Intn(len(sets))] + "_" + hexString(r, 16)
		p.roleID = uniqueID(r, "AROA")
		p.issuer = &schemas.SessionIssuer{Type: "Role", PrincipalID: p.roleID,
			ARN: "arn:aws:iam::" + a.id + ":role/aws-reserved/sso.amazonaws.com/" + p.roleName, AccountID: a.id, UserName: p.roleName}
		p.webID = &schemas.WebIDFederationData{}
		p.sessionFor = func(*principal, *sim) string { return email }
	case pTerraformOIDC:
		p.roleName = "github-actions-terraform"
		p.roleID = uniqueID(r, "AROA")
		p.issuer = roleIssuer(a.id, p.roleID, p.roleName)
		p.webID = &schemas.WebIDFederationData{FederatedProvider: "arn:aws:iam::" + a.id + ":oidc-provider/token.actions.githubusercontent.com"}
		p.sessionFor = func(p *principal, w *sim) string {
			p.ip = publicIP(w.r) // a hosted runner, new for every workflow run
			return fmt.Sprintf("GitHubActions-%d", 1000000000+w.r.Int63n(8999999999))
		}
	case pCloudFormation:
		p.roleName = "cfn-deployment-role"
		p.roleID = uniqueID(r, "AROA")
		p.issuer = roleIssuer(a.id, p.roleID, p.roleName)
		p.webID = &schemas.WebIDFederationData{}
		p.ip = "cloudformation.amazonaws.com"
		p.sessionFor = func(_ *principal, w *sim) string { return "AWSCloudFormation" }
		id.InvokedBy = "cloudformation.amazonaws.com"
	case pEC2Monitor, pJavaProducer:
		p.roleName = "ec2-firehose-monitor-" + home.name
		if k == pJavaProducer {
			p.roleName = slug(f.BuzzWord()) + "-ingest-app-" + home.name
		}
		p.roleID = uniqueID(r, "AROA")
		p.issuer = roleIssuer(a.id, p.roleID, p.roleName)
		p.webID = &schemas.WebIDFederationData{}
		instance := ""
		p.sessionFor = func(p *principal, w *sim) string {
			// The instance: replaced now and then by its Auto Scaling group.
			if instance == "" || w.r.Intn(3) == 0 {
				instance = "i-0" + hexString(w.r, 16)
				p.ip = w.hostIP(p)
			}
			return instance
		}
	case pLambdaProducer:
		fn := slug(f.BuzzWord()) + "-to-firehose"
		p.roleName = fn + "-role-" + alnumLower(r, 8)
		p.roleID = uniqueID(r, "AROA")
		p.issuer = roleIssuer(a.id, p.roleID, p.roleName)
		p.webID = &schemas.WebIDFederationData{}
		for range 1 + r.Intn(4) {
			p.pool = append(p.pool, w.hostIP(p))
		}
		p.sessionFor = func(*principal, *sim) string { return fn }
	case pECSProducer:
		app := slug(f.BuzzWord()) + "-collector"
		p.roleName = app + "-ecs-task-role"
		p.roleID = uniqueID(r, "AROA")
		p.issuer = roleIssuer(a.id, p.roleID, p.roleName)
		p.webID = &schemas.WebIDFederationData{}
		p.sessionFor = func(p *principal, w *sim) string {
			p.ip = w.hostIP(p) // a new task of the service
			return hexString(w.r, 32)
		}
	case pCodeBuild:
		project := slug(f.BuzzWord()) + "-pipeline"
		p.roleName = "codebuild-" + project + "-service-role"
		p.roleID = uniqueID(r, "AROA")
		p.issuer = roleIssuer(a.id, p.roleID, p.roleName)
		p.webID = &schemas.WebIDFederationData{}
		p.sessionFor = func(p *principal, w *sim) string {
			p.ip = w.hostIP(p) // every build runs on a new host
			return "AWSCodeBuild-" + w.ids.uuid()
		}
	case pFederatedPartner:
		name := slug(f.BuzzWord()) + "-partner-feed"
		issuerName := "federation-broker"
		p.roleID = uniqueID(r, "AIDA")
		p.issuer = &schemas.SessionIssuer{Type: "IAMUser", PrincipalID: p.roleID,
			ARN: "arn:aws:iam::" + a.id + ":user/" + issuerName, AccountID: a.id, UserName: issuerName}
		p.webID = &schemas.WebIDFederationData{}
		p.pool = natPool(r, 2+r.Intn(3))
		p.ip = p.pool[0]
		id.Type = schemas.IdentityFederatedUser
		id.PrincipalID = a.id + ":" + name
		id.ARN = "arn:aws:sts::" + a.id + ":federated-user/" + name
		id.AccountID = a.id
		p.sessionFor = func(*principal, *sim) string { return "" }
	case pService:
		svc := [...]string{"logs.amazonaws.com", "iot.amazonaws.com", "events.amazonaws.com"}[r.Intn(3)]
		p.ip = svc
		id.Type = schemas.IdentityAWSService
		id.InvokedBy = svc
	case pInternal:
		p.ip = "AWS Internal"
		id.AccountID = a.id
		id.InvokedBy = "AWS Internal"
	case pCrossAccount:
		other := accountID(r)
		id.Type = schemas.IdentityAWSAccount
		id.PrincipalID = uniqueID(r, "AIDA")
		id.AccountID = other
	case pIdentityCenter:
		id.Type = schemas.IdentityIdentityCenterUser
		id.AccountID = a.id
		id.OnBehalfOf = &schemas.OnBehalfOf{
			UserID:           w.ids.uuid(),
			IdentityStoreARN: "arn:aws:identitystore::" + a.id + ":identitystore/d-" + hexString(r, 10),
		}
		id.CredentialID = iamID(r, "", 43)
	case pRole:
		name := "firehose-healthcheck"
		p.ip = publicIP(r)
		id.Type = schemas.IdentityRole
		id.PrincipalID = uniqueID(r, "AROA")
		id.ARN = "arn:aws:iam::" + a.id + ":role/" + name
		id.AccountID = a.id
		id.UserName = name
	}
	p.uaBase = w.userAgentBase(p)
	if home != nil {
		home.own = append(home.own, p)
	} else {
		a.principals = append(a.principals, p)
	}
	a.byKind[k] = append(a.byKind[k], p)
	return p
}

func roleIssuer(acct, roleID, name string) *schemas.SessionIssuer {
	return &schemas.SessionIssuer{Type: "Role", PrincipalID: roleID,
		ARN: "arn:aws:iam::" + acct + ":role/" + name, AccountID: acct, UserName: name}
}

// refresh renews p's session when it has expired at t (unix seconds). It
// is called while the record at t is emitted, and a session lasts by the
// time written in records (outUnix): paced as load sends them, sessions
// still last hours, not the few calls that hours of the world hold.
func (p *principal) refresh(w *sim, t int64) {
	now := w.outUnix(t)
	if p.sessionFor == nil || now < p.sessionEnd {
		return
	}
	info := kinds[p.kind]
	start := now - w.r.Int63n(int64(info.sessionLength/time.Second)/2+1)
	p.sessionEnd = now + int64(info.sessionLength/time.Second)/2 + w.r.Int63n(int64(info.sessionLength/time.Second)/2+1)
	session := p.sessionFor(p, w)
	mfa := "false"
	switch p.kind {
	case pRootConsole, pUserConsole, pSSOConsole:
		mfa = "true"
	}
	sc := &schemas.SessionContext{
		SessionIssuer:       p.issuer,
		WebIDFederationData: p.webID,
		Attributes:          &schemas.SessionAttributes{CreationDate: formatDate(start), MFAAuthenticated: mfa},
	}
	if p.kind == pEC2Monitor || p.kind == pJavaProducer {
		sc.EC2RoleDelivery = "2.0"
	}
	if p.kind == pUserConsole {
		sc.SessionIssuer, sc.WebIDFederationData = nil, nil
	}
	id := &p.ident
	id.AccessKeyID = accessKeyID(w.r, true)
	id.SessionContext = sc
	if p.roleName != "" {
		id.Type = schemas.IdentityAssumedRole
		id.PrincipalID = p.roleID + ":" + session
		id.ARN = "arn:aws:sts::" + p.acct.id + ":assumed-role/" + p.roleName + "/" + session
		id.AccountID = p.acct.id
	}
}

// userAgentBase returns p's user agent (for the CLI, all but the command).
func (w *sim) userAgentBase(p *principal) string {
	r := w.r
	pick := func(s ...string) string { return s[r.Intn(len(s))] }
	switch kinds[p.kind].client {
	case clientCLI:
		if r.Intn(3) == 0 {
			return "aws-cli/" + pick("2.13.5", "2.15.30", "2.17.18") + " md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#firehose."
		}
		return "aws-cli/" + pick("2.15.30", "2.17.18", "2.22.4") + " md/awscrt#0.19.19 ua/2.0 os/linux#" + pick("6.5.0-1014-aws", "6.8.0-1009-aws", "5.15.0-91-generic") + " md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#firehose."
	case clientConsoleProxy:
		return "AWS Internal"
	case clientBrowser:
		return pick(
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
			"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36")
	case clientTerraform:
		return "APN/1.0 HashiCorp/1.0 Terraform/" + pick("1.6.6", "1.7.0", "1.8.2") + " (+https://www.terraform.io) terraform-provider-aws/" + pick("5.32.1", "5.40.0", "5.51.1") + " (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.1 os/linux lang/go#1.20.12 md/GOOS#linux md/GOARCH#amd64 api/firehose#1.23.0"
	case clientCloudFormation:
		return "cloudformation.amazonaws.com"
	case clientBoto3:
		return "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11"
	case clientBoto3Lambda:
		return "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython exec-env/AWS_Lambda_python3.11 cfg/retry-mode#legacy Botocore/1.34.11"
	case clientJava:
		return "aws-sdk-java/" + pick("2.25.6", "2.21.29") + " Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/legacy"
	case clientGoSDK:
		return "aws-sdk-go-v2/" + pick("1.30.1", "1.32.4") + " os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/firehose#1.31.0"
	case clientGoSDKECS:
		return "aws-sdk-go-v2/" + pick("1.30.1", "1.32.4") + " ua/2.0 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 exec-env/AWS_ECS_FARGATE api/firehose#1.31.0"
	case clientCodeBuildCLI:
		return "aws-cli/" + pick("2.15.30", "2.17.18") + " md/awscrt#0.19.19 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/AWS_ECS_EC2 cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#firehose."
	case clientService, clientInternal:
		return p.ip
	}
	return ""
}

// userAgent returns p's user agent for a call of a.
func (p *principal) userAgent(a action) string {
	if s := p.ua[a]; s != "" {
		return s
	}
	s := p.uaBase
	if c := kinds[p.kind].client; c == clientCLI || c == clientCodeBuildCLI {
		s += actionCLI[a]
	}
	p.ua[a] = s
	return s
}

// direct reports whether p's calls reach the endpoint over its own TLS
// connection (CloudTrail writes no tlsDetails when a service or the
// console proxied the call).
func (p *principal) direct() bool {
	switch kinds[p.kind].client {
	case clientConsoleProxy, clientCloudFormation, clientService, clientInternal:
		return false
	}
	return true
}

// console reports whether p uses console session credentials.
func (p *principal) console() bool {
	switch p.kind {
	case pRootConsole, pUserConsole, pSSOConsole:
		return true
	}
	return false
}
