"""devices.vtysh: the network_cli adapter and FRR's running-config framing."""

from __future__ import annotations

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.vtysh import VtyshDevice, frr_dialect


class Connection:
    def __init__(self):
        self.calls = []

    def get_config(self):
        self.calls.append(("get_config",))
        return "frr version 8.4.4\n!\nrouter bgp 65010\n bgp router-id 198.18.0.1\nexit\n!\nend\n"

    def edit_config(self, candidate):
        self.calls.append(("edit_config", candidate))

    def get(self, command):
        self.calls.append(("get", command))
        return "{}"

    def save_config(self):
        self.calls.append(("save_config",))


def test_adapter_strips_indentation_and_passes_calls_through():
    conn = Connection()
    device = VtyshDevice(conn)
    device.edit(["router bgp 65010", " neighbor 192.0.2.1 shutdown", "exit"])
    assert device.show("show bgp summary json") == "{}"
    device.save()
    assert conn.calls == [("edit_config", ["router bgp 65010", "neighbor 192.0.2.1 shutdown", "exit"]),
                          ("get", "show bgp summary json"), ("save_config",)]


def test_frr_framing_is_skipped():
    tree = frr_dialect().parse(VtyshDevice(Connection()).running_config())
    assert [(n.line, [c.line for c in n.children]) for n in tree] == [("router bgp 65010", ["bgp router-id 198.18.0.1"])]
