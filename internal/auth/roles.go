package auth

// RoleSignedIn is the role every signed-in user has in addition to their
// own: signing out, seeing and changing one's own account, one's own API
// tokens. It is stored as data like the others and can be edited.
const RoleSignedIn = "signed-in"

func grant(resource string, scope Scope, actions ...string) []Permission {
	out := make([]Permission, 0, len(actions))
	for _, a := range actions {
		out = append(out, Permission{Resource: resource, Action: a, Scope: scope})
	}
	return out
}

func join(ps ...[]Permission) []Permission {
	var out []Permission
	for _, p := range ps {
		out = append(out, p...)
	}
	return out
}

// BuiltinRoles returns the roles created with a new database. They are
// data: administrators may change their permissions afterwards (the
// store never overwrites a role that exists).
func BuiltinRoles() []Role {
	everything := []Permission{}
	for _, r := range Resources {
		everything = append(everything, grant(r.Name, ScopeAll, Actions...)...)
	}
	return []Role{
		{Name: RolePublic, Title: "Public", Description: "Anyone, signed out: reference data and signing in.",
			Permissions: join(grant("pages", ScopeAll, Read), grant("assets", ScopeAll, Read),
				grant("countries", ScopeAll, Read), grant("system", ScopeAll, Read),
				grant("statistics", ScopeAll, Read), grant("indicators", ScopeAll, Read),
				grant("trafficking", ScopeAll, Read), grant("remittances", ScopeAll, Read),
				grant("labour", ScopeAll, Read), grant("metrics", ScopeAll, Read), grant("session", ScopeAll, Create))},
		{Name: RoleSignedIn, Title: "Signed in", Description: "Every signed-in user: own account, own API tokens, signing out.",
			Permissions: join(grant("session", ScopeOwn, Read, Delete), grant("account", ScopeOwn, Read, Update),
				grant("tokens", ScopeOwn, Create, Read, Delete), grant("trafficking", ScopeAll, Read),
				grant("remittances", ScopeAll, Read), grant("labour", ScopeAll, Read))},
		{Name: RoleSystemAdmin, Title: "System administrator", Description: "Everything, in every organisation.",
			Permissions: everything},
		{Name: RoleOrgAdmin, Title: "Organisation administrator", Description: "Users, teams and tokens of their organisation; its audit trail.",
			Permissions: join(grant("users", ScopeOrg, Create, Read, Update, Delete, Assign),
				grant("teams", ScopeOrg, Create, Read, Update, Delete), grant("orgs", ScopeOrg, Read, Update),
				grant("roles", ScopeAll, Read), grant("tokens", ScopeOrg, Read, Delete),
				grant("audit", ScopeOrg, Read, Export), grant("cases", ScopeOrg, Read),
				grant("remittances", ScopeOrg, Create))},
		{Name: RoleCaseWorker, Title: "Case worker", Description: "Registers and assists people; sees their own records.",
			Permissions: join(grant("people", ScopeOwn, Create, Read, Update, Refer, Export),
				grant("cases", ScopeOwn, Create, Read, Update, Refer, Export),
				grant("orgs", ScopeOrg, Read), grant("teams", ScopeOrg, Read))},
		{Name: RoleCaseSupervisor, Title: "Case supervisor", Description: "Oversees the records of their teams; assigns and refers.",
			Permissions: join(grant("people", ScopeTeam, Create, Read, Update, Assign, Refer, Export),
				grant("cases", ScopeTeam, Create, Read, Update, Assign, Refer, Export),
				grant("users", ScopeTeam, Read), grant("orgs", ScopeOrg, Read), grant("teams", ScopeOrg, Read))},
		{Name: RoleAnalyst, Title: "Analyst", Description: "Statistics and indicators; no personal records.",
			Permissions: join(grant("orgs", ScopeAll, Read), grant("indicators", ScopeOwn, Create), grant("plans", ScopeOrg, Read),
				grant("labour", ScopeAll, Read))},
		{Name: RoleDataPublisher, Title: "Data publisher", Description: "Prepares and publishes de-identified releases.",
			Permissions: join(grant("orgs", ScopeAll, Read), grant("releases", ScopeOrg, Create, Read, Publish))},
		{Name: RoleEditor, Title: "Editor", Description: "Content, events and development plans.",
			Permissions: join(grant("orgs", ScopeAll, Read), grant("plans", ScopeOrg, Create, Read, Update, Delete, Export))},
		{Name: RoleRemittanceProvider, Title: "Remittance provider", Description: "Submits its organisation's current remittance quotes.",
			Permissions: join(grant("orgs", ScopeOrg, Read), grant("remittances", ScopeOrg, Create, Read))},
		{Name: RoleEmployer, Title: "Employer or destination agency", Description: "Posts vacancies, runs recruitment drives and moves candidates through the pipeline; sees workers only without their identity until they are shortlisted.",
			Permissions: join(grant("orgs", ScopeOrg, Read), grant("labour", ScopeOrg, Create, Read, Update, Publish, Assign),
				grant("workers", ScopeOrg, Read))},
		{Name: RoleLabourAgency, Title: "Labour agency (country of origin)", Description: "Registers workers with their consent, records their recruitment costs, follows their recruitment.",
			Permissions: join(grant("orgs", ScopeAll, Read), grant("labour", ScopeOrg, Read, Create, Update),
				grant("workers", ScopeOrg, Create, Read, Update, Export))},
		{Name: RoleWorker, Title: "Worker (own profile)", Description: "A migrant worker: registers and keeps their own profile, sees matching vacancies, records their recruitment costs, withdraws consent.",
			Permissions: join(grant("labour", ScopeAll, Read), grant("workers", ScopeOwn, Create, Read, Update))},
		{Name: RoleViewer, Title: "Viewer", Description: "Reads what is shared inside Corridor; no personal records.",
			Permissions: join(grant("orgs", ScopeAll, Read), grant("plans", ScopeOrg, Read))},
	}
}
