"""Wire contracts: the pydantic model of every topic's records, with golden JSON examples beside them."""
