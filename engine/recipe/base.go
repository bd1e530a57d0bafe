package recipe

// baseParams are the parameters every recipe has, for the common jail base.
var baseParams = []Param{
	{Name: "resolvers", Type: TypeIP, List: true, Default: []any{},
		Description: "name servers for the jail's /etc/resolv.conf; install copies the host's when empty"},
	{Name: "search", Type: TypeDomain, List: true, Default: []any{},
		Description: "search domains for /etc/resolv.conf; the jail's own domain when empty"},
	{Name: "loghost", Type: TypeIP, Description: "send every syslog message to this host (*.* @loghost in syslog.conf)"},
	{Name: "sshd", Type: TypeBool, Default: false,
		Description: "run sshd in the jail, bound to the jail's addresses only"},
	{Name: "sshd_port", Type: TypePort, Default: 22,
		Description: "port of the jail's sshd; give it its own port when the host's sshd shares the address"},
}
