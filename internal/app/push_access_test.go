package app_test

// pushAccessCases returns the matrix's rows for Web Push (the matrix's server has VAPID
// keys). As the resident's own things, subscribing a device or resident is for them alone:
// none of the matrix's callers carries a device token, so a resident signed in without an
// identity number and staff are FORBIDDEN, anonymous callers UNAUTHENTICATED
// (TestPushResident covers devices and residents). An anonymous card's subscription is
// anyone's who has its number and PIN.
func pushAccessCases(anonymousCard func() (any, map[string]any), anyone map[string]outcome) []accessCase {
	owners := map[string]outcome{}
	for caller, o := range anyone {
		owners[caller] = forbidden
		if o != allowed || caller == "anonymous" {
			owners[caller] = unauthenticated
		}
	}
	in := map[string]any{"endpoint": "https://fcm.googleapis.com/fcm/send/matrix",
		"p256dh": "BB857cY4ejTAtBIkSV_91hWr1Dm5Prodq8WIpIqESLMeW-_fCfOvsKhuoBPjQkT9surzfIxjChvImqU65yfWyQU",
		"auth":   "BTBZMqHH6r4Tts7J_aSIgg"}
	card := func() map[string]any {
		_, access := anonymousCard()
		return map[string]any{"a": access, "in": in}
	}
	return []accessCase{
		{"subscribePush", `mutation($in: PushSubscriptionInput!) { subscribePush(input: $in) {
			subscription { endpoint } } }`, func() map[string]any { return map[string]any{"in": in} }, owners},
		{"unsubscribePush", `mutation { unsubscribePush(endpoint: "https://fcm.googleapis.com/x") { removed } }`,
			nil, owners},
		{"subscribeCardPush", `mutation($a: CardPinInput!, $in: PushSubscriptionInput!) {
			subscribeCardPush(access: $a, input: $in) { subscription { endpoint } } }`, card, anyone},
		{"unsubscribeCardPush", `mutation($a: CardPinInput!) {
			unsubscribeCardPush(access: $a, endpoint: "https://fcm.googleapis.com/x") { removed } }`, card, anyone},
		{"myPushSubscriptions", `{ myPushSubscriptions { endpoint } }`, nil, owners},
	}
}
