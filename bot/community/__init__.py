"""Community features: peer-support circles (circles.py) and anonymous team pulses (pulses.py).

Anonymity design, and exactly what it protects against
======================================================

Through the bot, nobody (admins and moderators included) can see who shared, who answered a pulse, who
did not, or any individual pulse answer: no command, status or result shows any of it, and the only pulse
numbers ever posted are whole-round aggregates above a threshold (see pulses.py).

In the database:
- No community table has a user id, and answering a pulse writes no row anywhere else. People appear only
  as keyed hashes (HMAC-SHA256 with a server secret, bot.community.anonymity.Pseudonyms), each for one
  purpose and one scope:
    circle_shares.author_tag          = H("share-author", share id, person)  -> "may this person delete it?"
    circle_share_quota.tag            = H("share-quota", UTC day, person)    -> "3 shares a day"
    pulse_participation.tag           = H("pulse-joined", round, person)     -> "already answered?"
    pulse_answers.slot                = H("pulse-answer", round, person)     -> "replace my answers"
  No two tables hold the same value, so they cannot be joined; two tags of one person never look alike.
- pulse_answers has no timestamp and no autoincrement id; on SQLite it is WITHOUT ROWID, so rows are
  stored in hash order, not arrival order. The round's answers and participation rows are deleted in the
  transaction that closes it; only the published aggregate is kept (and nothing for a round below its
  threshold). Comments are encrypted at rest until then.
- Share texts are encrypted at rest; removing or deleting a share erases its words and its author tag.

Answering a pulse leaves no trace of the person (tests/community/test_no_trace_of_joining.py): the core
answers pulse clicks and comments from someone it does not know without creating an identity (no user id,
no first-contact time, no DM channel id; adapters report a DM channel only for people who already exist),
and writes nothing with a time. The one exception is a comment the screen answers with crisis resources:
help comes first, so that person gets an identity with the fact and time of the crisis reply (never the
words, which are not kept).

What someone with a copy of the database (but not the community secret) can learn: how many rounds and
circles exist, their settings and published results, how many answers an *open* round has so far and the
answer digits of each anonymous row, how many shares a day some unnamed person made. Not: who answered or
who did not, when anyone answered, or which row is whose; an identity row (with its creation time) exists
only for people who use the personal check-ins, and is never created or touched by answering a pulse.

What someone with the database AND the community secret (the bot's operator) can learn: with the
workspace's member list (any member can read it from the platform) the secret lets them recompute every
tag for every member, so they could tell who wrote a share that is still up, who answered an open round
and (through the answer slot) what they answered *while the round is open*. This is the explicit
trade-off that lets a person change answers until close and delete their own share without holding a
key of their own. After close nothing individual is left. Also outside what the bot can hide: an
operator watching the live database (write order, PostgreSQL transaction ids, statement logs) can
correlate a participation row with an answer row written at the same moment. Protect
the secret like the encryption keys: back it up apart from the data folder (see KEYS_DIR).

What an admin (of the workspace, server or bot commands) can learn through the bot: a round's settings,
and after close its published aggregate when the threshold was met; never a live count, who answered,
or any answer.

What a platform export (plans where owners can export direct messages; a person's data package) can
learn: nothing about anyone's answers. Answers are given in one private form (each adapter's
renderer: a modal, or an ephemeral message the platform keeps in no history), and nothing about a pulse is sent to
anyone's DM; the only line after sending is an ephemeral "Thanks — your answers are in (anonymous)". The
platform itself sees the form's submission or the clicks on it as it delivers them, as it sees every
interaction; an ephemeral form left half-filled shows its picks to that person alone until they dismiss it.
Where the form is an ephemeral message, it is taken only from the round's own channel (a channel belongs to
exactly one server), so a server's pulse cannot be answered from a DM or from another server. (A terminal,
a single local person, still answers one statement at a time.)
"""
