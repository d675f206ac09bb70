"""Regulatory clocks: the deadlines a ticket starts (Reg E, Reg Z, CFPB, card networks)."""
