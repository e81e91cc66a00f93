package app_test

// residentAccessCases returns the matrix's rows for the resident app's own things. None of
// the matrix's callers carries a device token: a resident signed in without an identity
// number and staff are FORBIDDEN, anonymous callers UNAUTHENTICATED (TestResidentDevices
// covers devices, and TestResidentSignedIn a resident with an identity number).
func residentAccessCases(anyone map[string]outcome) []accessCase {
	owners := map[string]outcome{}
	noDevice := map[string]outcome{}
	for caller, o := range anyone {
		owners[caller], noDevice[caller] = forbidden, unauthenticated
		if o != allowed || caller == "anonymous" {
			owners[caller] = unauthenticated
		}
	}
	return []accessCase{
		{"registerDevice", `mutation { registerDevice { deviceToken } }`, nil, anyone},
		{"forgetDevice", `mutation { forgetDevice { forgotten } }`, nil, noDevice},
		{"addFavourite", `mutation { addFavourite(itemId: "T3JnYW5pc2F0aW9uOjA") { favourite { kind } } }`, nil, owners},
		{"removeFavourite", `mutation { removeFavourite(itemId: "T3JnYW5pc2F0aW9uOjA") { removed } }`, nil, owners},
		{"setMyNeighbourhood", `mutation { setMyNeighbourhood(neighbourhoodId: null) { myThings { device } } }`, nil,
			owners},
		{"setMyInterests", `mutation { setMyInterests(input: {languages: ["nb"]}) { myThings { device } } }`, nil,
			owners},
		{"linkDevice", `mutation { linkDevice { myThings { device } } }`, nil, owners},
		{"myThings", `{ myThings { device } }`, nil, owners},
		{"forYou", `{ forYou { pageInfo { hasNextPage } } }`, nil, owners},
	}
}
