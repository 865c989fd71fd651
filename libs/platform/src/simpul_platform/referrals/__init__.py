"""Referrals (rujukan lintas bidang): a need one field sees and another field owns, tracked to
its end with a due date in working days. ``domain`` is a referral's life, the same in every
field; ``catalogue`` is what each field can be asked for and how a referral to it can end."""
