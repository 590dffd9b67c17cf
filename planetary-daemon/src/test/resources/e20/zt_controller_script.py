#!/usr/bin/env python3
"""A script written against ZeroTier's controller API (VL.md §16.4 E20), standard library only.

Usage: zt_controller_script.py BASE_URL TOKEN CONTROLLER_ADDRESS
It creates a network with a pool and a route, authorizes a member, reads both back with ZeroTier's
field names, deauthorizes the member and checks that a wrong token gets 401. Prints OK on success.
"""
import json
import sys
import urllib.error
import urllib.request

base, token, controller = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, body=None, auth=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("X-ZT1-Auth", token if auth is None else auth)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)


status, info = call("GET", "/controller")
check(status == 200 and info["controller"] is True and isinstance(info["clock"], int), "GET /controller: %s" % info)

status, net = call("POST", "/controller/network/%s______" % controller, {
    "name": "e20-net",
    "private": True,
    "v4AssignMode": {"zt": True},
    "ipAssignmentPools": [{"ipRangeStart": "10.147.20.1", "ipRangeEnd": "10.147.20.254"}],
    "routes": [{"target": "10.147.20.0/24", "via": None}],
})
check(status == 200, "create network: %s %s" % (status, net))
nwid = net["nwid"]
check(net["id"] == nwid and nwid.startswith(controller) and len(nwid) == 16, "network id %s" % nwid)
check(net["name"] == "e20-net" and net["private"] is True and net["v4AssignMode"]["zt"] is True, "network fields %s" % net)
check(net["routes"][0]["target"] == "10.147.20.0/24" and net["routes"][0]["via"] is None, "routes %s" % net["routes"])
check(net["ipAssignmentPools"] == [{"ipRangeStart": "10.147.20.1", "ipRangeEnd": "10.147.20.254"}], "pools %s" % net["ipAssignmentPools"])
check(net["mtu"] == 2800 and net["objtype"] == "network" and isinstance(net["revision"], int), "defaults %s" % net)

status, ids = call("GET", "/controller/network")
check(status == 200 and nwid in ids, "network list %s" % ids)

member = "0123456789"
status, m = call("POST", "/controller/network/%s/member/%s" % (nwid, member), {"authorized": True, "ipAssignments": ["10.147.20.42"]})
check(status == 200 and m["authorized"] is True and m["address"] == member and m["nwid"] == nwid, "authorize %s %s" % (status, m))
status, m = call("GET", "/controller/network/%s/member/%s" % (nwid, member))
check(status == 200 and m["authorized"] is True and m["ipAssignments"] == ["10.147.20.42"] and m["objtype"] == "member", "member %s" % m)
for field in ("id", "revision", "creationTime", "lastAuthorizedTime", "lastDeauthorizedTime", "activeBridge", "noAutoAssignIps",
              "tags", "capabilities", "vMajor", "vMinor", "vRev", "vProto", "identity"):
    check(field in m, "member field " + field)
status, members = call("GET", "/controller/network/%s/member" % nwid)
check(status == 200 and members.get(member) == m["revision"], "member list %s" % members)

status, m = call("POST", "/controller/network/%s/member/%s" % (nwid, member), {"authorized": False})
check(status == 200 and m["authorized"] is False and m["lastDeauthorizedTime"] > 0, "deauthorize %s" % m)

status, err = call("POST", "/controller/network/%s" % nwid, {"mtu": 99})
check(status == 400 and "mtu" in err["error"], "bad mtu %s %s" % (status, err))
status, err = call("GET", "/controller/network", auth="wrong")
check(status == 401 and "error" in err, "wrong token %s" % status)
print("OK " + nwid)
