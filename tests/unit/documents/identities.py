"""Declaration identities as the golden inbound examples give them."""

from shared.contracts.inbound import Identity

BTW = Identity(number="NL001234567B01", type="BTW")
BTW_ICP = Identity(number="NL009876543B01", type="BTW")
LOONHEFFINGEN = Identity(number="001234567L01", type="LHnr")
KVK = Identity(number="12345678", type="KvK")
KVK_MIDDELGROOT = Identity(number="87654321", type="KvK")
