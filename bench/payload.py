"""What the references (b) and (c) send: an actor-sized body, as the identity call carries."""

ECHO_ROUTE = "/echo"

ACTOR = {
    "user_id": "3f0c8f5e-8b51-4a8e-9a55-0c5a2c1d9e11",
    "username": "eu7kq2mzx4",
    "authority_id": "00000000-0000-4000-8000-00000000e0e0",
    "member_state": "EU",
    "language": "en",
    "grants": [{"right": "commission_administrator", "area": None}],
    "session_id": "9b2e4c1a-6f0d-4d59-8d3e-2b7f1e0c4a6d",
}
