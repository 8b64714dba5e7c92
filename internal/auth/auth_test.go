package auth

import (
	"strings"
	"testing"
)

func roleByName(name string) Role {
	for _, r := range BuiltinRoles() {
		if r.Name == name {
			return r
		}
	}
	panic(name)
}

func principalWith(roles ...string) *Principal {
	rs := []Role{roleByName(RolePublic), roleByName(RoleSignedIn)}
	for _, n := range roles {
		rs = append(rs, roleByName(n))
	}
	return NewPrincipal(7, "p", 3, []int64{11}, rs, nil)
}

func TestCanGrant(t *testing.T) {
	tests := []struct {
		who, role string
		want      bool
	}{
		{RoleSystemAdmin, RoleSystemAdmin, true},
		{RoleOrgAdmin, RoleCaseWorker, true},
		{RoleOrgAdmin, RoleCaseSupervisor, true},
		{RoleOrgAdmin, RoleViewer, true},
		{RoleOrgAdmin, RoleOrgAdmin, true},
		{RoleOrgAdmin, RoleSystemAdmin, false},
		{RoleCaseWorker, RoleCaseWorker, true},
		{RoleCaseWorker, RoleCaseSupervisor, false},
		{RoleViewer, RoleOrgAdmin, false},
	}
	for _, tt := range tests {
		if got := principalWith(tt.who).CanGrant(roleByName(tt.role)); got != tt.want {
			t.Errorf("%s granting %s = %v, want %v", tt.who, tt.role, got, tt.want)
		}
	}
	// An organisation administrator cannot hand out organisation-wide
	// audit or people access beyond their assign scope… nor "all".
	wide := Role{Permissions: []Permission{{Resource: "people", Action: Read, Scope: ScopeAll}}}
	if principalWith(RoleOrgAdmin).CanGrant(wide) {
		t.Error("org admin could grant people:read:all")
	}
}

func TestRecordScopes(t *testing.T) {
	p := NewPrincipal(7, "p", 3, []int64{11}, nil, nil)
	recs := map[string]Record{
		"own":        {OwnerID: 7, OrgID: 3},
		"team":       {OwnerID: 8, TeamID: 11, OrgID: 3},
		"org":        {OwnerID: 8, TeamID: 12, OrgID: 3},
		"other org":  {OwnerID: 9, OrgID: 4},
		"no team":    {OwnerID: 8, OrgID: 3},
		"owner zero": {OwnerID: 0, OrgID: 3},
	}
	want := map[Scope]string{
		ScopeNone: "",
		ScopeOwn:  "own",
		ScopeTeam: "own team",
		ScopeOrg:  "own team org no team owner zero",
		ScopeAll:  "own team org other org no team owner zero",
	}
	for s, allowed := range want {
		for name, rec := range recs {
			got := ScopeCovers(s, p, rec)
			exp := strings.Contains(" "+allowed+" ", " "+name+" ")
			if got != exp {
				t.Errorf("scope %s over %s record: %v, want %v", s, name, got, exp)
			}
		}
	}
}

func TestPasswords(t *testing.T) {
	for _, tt := range []struct {
		pw, user string
		ok       bool
	}{
		{"short", "", false},
		{"correct horse battery staple", "", true},
		{"1234567890qwerty", "", !IsCommonPassword("1234567890qwerty")},
		{"passwordpassword", "", !IsCommonPassword("passwordpassword")},
		{"alice.example.org", "alice.example.org", false},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4", "", false},
	} {
		err := ValidatePassword(tt.pw, tt.user)
		if (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), tt.pw) {
			t.Errorf("error echoes the password: %v", err)
		}
	}
	if !IsCommonPassword("password") || !IsCommonPassword("PASSWORD") {
		t.Error("common password list not loaded")
	}
	h, err := HashPassword("correct horse battery staple")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q, %v", h, err)
	}
	if !VerifyPassword("correct horse battery staple", h) || VerifyPassword("correct horse battery stapler", h) {
		t.Error("verification wrong")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA", "$bcrypt$x", h[:len(h)-4]} {
		if VerifyPassword("correct horse battery staple", bad) {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
}
