package labour

// Rights a migrant worker holds, as codes the interface translates
// ("labour.right.<code>"). Every recruitment has the universal ones (ILO
// General principles and operational guidelines for fair recruitment, ILO
// Convention 97 and 143, the UN Migrant Workers Convention); each legal
// channel adds its own.
var universalRights = []string{
	"no-recruitment-fees",    // the employer pays every recruitment fee and related cost
	"written-contract",       // a written contract, in a language the worker understands, before departure
	"keep-documents",         // nobody may keep the worker's passport or identity documents
	"equal-treatment",        // pay and conditions no less favourable than nationals in the same work
	"freedom-of-association", // joining a trade union
	"complaint",              // a complaint mechanism without retaliation
}

var channelRights = map[string][]string{
	"work-visa":              {"residence-with-work", "family-reunification-may-apply"},
	"seasonal-visa":          {"seasonal-return", "employer-housing-standards"},
	"bilateral-agreement":    {"agreement-protections", "pre-departure-orientation"},
	"regional-free-movement": {"free-movement", "change-employer"},
	"skills-partnership":     {"training-recognised", "pre-departure-orientation"},
}

// RightsOf lists the rights that go with a vacancy: the universal ones and
// those of its legal channel.
func RightsOf(v Vacancy) []string {
	out := append([]string{}, universalRights...)
	return append(out, channelRights[v.Channel.Kind]...)
}

// AllRights lists every right code (for the message catalogue test).
func AllRights() []string {
	out := append([]string{}, universalRights...)
	seen := map[string]bool{}
	for _, k := range ChannelKinds {
		for _, r := range channelRights[k] {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
