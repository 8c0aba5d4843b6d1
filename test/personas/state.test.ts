import t from 'tap'
import { applyFatigue, applyUserChat, conditionOf, cooldownRemaining, isAvailable, regenerate, replyTokenBudget, secondsUntilAvailable } from '../../src/personas/state.ts'
import type { InteractionState, StateRules } from '../../src/personas/state.ts'

// Worked examples of original-api.md section 4 with the earlier server's numbers, plus our available-time
// regeneration (the earlier server never gave available time back; the config defaults are 10 s per minute up to 600 s).
const rules: StateRules = {
  maxSocialEnergy: 200,
  energyRegenSeconds: 60,
  fatigueRecoverySeconds: 300,
  minAvailableTime: 30,
  minSocialEnergy: 10,
  maxAvailableTime: 600,
  availableTimeRegenPerMinute: 10,
}
/** The earlier server exactly: available time never regenerates. */
const original: StateRules = { ...rules, availableTimeRegenPerMinute: 0 }

// An epoch second that is a whole multiple of both 60 and 300: period boundaries are easy to reason about.
const T0 = 1_800_000_000
const ms = (seconds: number): number => seconds * 1000
const SEC = 1000
const MIN = 60 * SEC

function state (patch: Partial<InteractionState> = {}): InteractionState {
  return {
    interestLevel: 50,
    interactionFatigue: 0,
    currentPriority: 'none',
    availableTime: 300,
    socialEnergy: 100,
    cooldownUntil: 0,
    updatedAt: ms(T0),
    ...patch,
  }
}

t.test('isAvailable', async (t) => {
  const now = ms(T0)
  t.equal(isAvailable(state(), now, rules), true, 'default state is available')

  t.test('cooldown', async (t) => {
    t.equal(isAvailable(state({ cooldownUntil: T0 + 60 }), now, rules), false, 'cooldown a minute in the future')
    t.equal(isAvailable(state({ cooldownUntil: T0 + 0.5 }), now, rules), false, 'cooldown half a second in the future')
    t.equal(isAvailable(state({ cooldownUntil: T0 - 60 }), now, rules), true, 'cooldown a minute in the past')
    t.equal(isAvailable(state({ cooldownUntil: T0 }), now, rules), true, 'cooldown ending exactly now (now >= cooldown_until)')
    t.equal(isAvailable(state({ cooldownUntil: T0 + 60 }), now + 60 * SEC, rules), true, 'available again once the cooldown is reached')
  })

  t.test('available_time must be above the minimum 30', async (t) => {
    t.equal(isAvailable(state({ availableTime: 30 }), now, rules), false, 'exactly 30 is not available')
    t.equal(isAvailable(state({ availableTime: 31 }), now, rules), true, '31 is available')
    t.equal(isAvailable(state({ availableTime: 0 }), now, rules), false, '0 is not available')
  })

  t.test('social_energy must be above the minimum 10', async (t) => {
    t.equal(isAvailable(state({ socialEnergy: 10 }), now, rules), false, 'exactly 10 is not available')
    t.equal(isAvailable(state({ socialEnergy: 11 }), now, rules), true, '11 is available')
    t.equal(isAvailable(state({ socialEnergy: 0 }), now, rules), false, '0 is not available')
  })

  t.test('all three conditions are needed', async (t) => {
    t.equal(isAvailable(state({ cooldownUntil: T0 + 1, availableTime: 600, socialEnergy: 200 }), now, rules), false)
    t.equal(isAvailable(state({ cooldownUntil: T0 - 1, availableTime: 30, socialEnergy: 200 }), now, rules), false)
    t.equal(isAvailable(state({ cooldownUntil: T0 - 1, availableTime: 600, socialEnergy: 10 }), now, rules), false)
    t.equal(isAvailable(state({ cooldownUntil: T0 - 1, availableTime: 31, socialEnergy: 11 }), now, rules), true)
  })

  t.test('the minimums come from the rules', async (t) => {
    const strict: StateRules = { ...rules, minAvailableTime: 100, minSocialEnergy: 50 }
    t.equal(isAvailable(state({ availableTime: 100, socialEnergy: 60 }), now, strict), false)
    t.equal(isAvailable(state({ availableTime: 101, socialEnergy: 50 }), now, strict), false)
    t.equal(isAvailable(state({ availableTime: 101, socialEnergy: 51 }), now, strict), true)
  })
})

t.test('cooldownRemaining', async (t) => {
  const now = ms(T0)
  t.equal(cooldownRemaining(state({ cooldownUntil: T0 + 120 }), now), 120, 'two minutes left')
  t.equal(cooldownRemaining(state({ cooldownUntil: T0 + 10 }), now + 500), 9.5, 'fractional seconds are kept')
  t.equal(cooldownRemaining(state({ cooldownUntil: T0 }), now), 0, 'ends exactly now')
  t.equal(cooldownRemaining(state({ cooldownUntil: T0 - 30 }), now), 0, 'in the past: 0, never negative')
  t.equal(cooldownRemaining(state({ cooldownUntil: 0 }), now), 0, 'never set')
})

t.test('applyFatigue', async (t) => {
  t.test('x // 30 fatigue, x // 60 energy, time - x', async (t) => {
    const before = state({ interactionFatigue: 2, socialEnergy: 100, availableTime: 300 })
    const after = applyFatigue(before, 90)
    t.equal(after.interactionFatigue, 5, 'fatigue 2 + 90//30 = 5')
    t.equal(after.socialEnergy, 99, 'energy 100 - 90//60 = 99')
    t.equal(after.availableTime, 210, 'time 300 - 90 = 210')
    t.equal(after.interestLevel, before.interestLevel, 'interest unchanged')
    t.equal(after.cooldownUntil, before.cooldownUntil, 'cooldown unchanged')
    t.equal(after.currentPriority, before.currentPriority, 'priority unchanged')
    t.same(before, state({ interactionFatigue: 2, socialEnergy: 100, availableTime: 300 }), 'the input is not modified')
  })

  t.test('a 30 s turn: the speaker and the listener', async (t) => {
    // a turn lasts d = max(30, processing); speaker apply_fatigue(d), listener apply_fatigue(d // 2)
    const speaker = applyFatigue(state({ socialEnergy: 150, availableTime: 600 }), 30)
    t.same([speaker.interactionFatigue, speaker.socialEnergy, speaker.availableTime], [1, 150, 570])
    const listener = applyFatigue(state({ socialEnergy: 80, availableTime: 300 }), 15)
    t.same([listener.interactionFatigue, listener.socialEnergy, listener.availableTime], [0, 80, 285])
  })

  t.test('just below and at the boundaries', async (t) => {
    const a = applyFatigue(state(), 29)
    t.same([a.interactionFatigue, a.socialEnergy, a.availableTime], [0, 100, 271], '29 s')
    const b = applyFatigue(state(), 59)
    t.same([b.interactionFatigue, b.socialEnergy, b.availableTime], [1, 100, 241], '59 s')
    const c = applyFatigue(state(), 60)
    t.same([c.interactionFatigue, c.socialEnergy, c.availableTime], [2, 99, 240], '60 s')
    const d = applyFatigue(state(), 179)
    t.same([d.interactionFatigue, d.socialEnergy, d.availableTime], [5, 98, 121], '179 s')
  })

  t.test('energy and time floor at 0; fatigue keeps growing', async (t) => {
    const after = applyFatigue(state({ interactionFatigue: 10, socialEnergy: 3, availableTime: 100 }), 600)
    t.equal(after.interactionFatigue, 30, '10 + 600//30')
    t.equal(after.socialEnergy, 0, '3 - 10 floors at 0')
    t.equal(after.availableTime, 0, '100 - 600 floors at 0')
    const again = applyFatigue(after, 120)
    t.same([again.interactionFatigue, again.socialEnergy, again.availableTime], [34, 0, 0], 'stays at 0')
  })

  t.test('fractional seconds are floored', async (t) => {
    const a = applyFatigue(state(), 59.9)
    t.same([a.interactionFatigue, a.socialEnergy, a.availableTime], [1, 100, 241], '59.9 s counts as 59 s')
    const b = applyFatigue(state(), 119.99)
    t.same([b.interactionFatigue, b.socialEnergy, b.availableTime], [3, 99, 181], '119.99 s counts as 119 s')
    const c = applyFatigue(state(), 0.7)
    t.same([c.interactionFatigue, c.socialEnergy, c.availableTime], [0, 100, 300], '0.7 s counts as 0 s')
    t.ok(Number.isInteger(b.availableTime), 'available time stays a whole number')
  })

  t.test('zero or negative seconds change nothing', async (t) => {
    const before = state({ interactionFatigue: 4, socialEnergy: 50, availableTime: 200 })
    for (const seconds of [0, -30, -600]) {
      const after = applyFatigue(before, seconds)
      t.same([after.interactionFatigue, after.socialEnergy, after.availableTime], [4, 50, 200], `${seconds} s`)
    }
  })
})

t.test('regenerate', async (t) => {
  t.test('energy +1 per whole minute, fatigue -1 per 5 minutes', async (t) => {
    const before = state({ socialEnergy: 100, interactionFatigue: 5 })
    const after = regenerate(before, ms(T0) + 10 * MIN, rules)
    t.equal(after.socialEnergy, 110, '10 minutes: +10 energy')
    t.equal(after.interactionFatigue, 3, '10 minutes: -2 fatigue')
    t.equal(after.updatedAt, ms(T0) + 10 * MIN, 'updatedAt moves to now')
    t.equal(after.availableTime, 400, '10 minutes: +100 s available time')
    t.equal(regenerate(before, ms(T0) + 10 * MIN, original).availableTime, 300, 'with the original rules available time never regenerates')
    t.equal(after.cooldownUntil, before.cooldownUntil)
    t.equal(after.interestLevel, before.interestLevel)
    t.equal(after.currentPriority, before.currentPriority)
    t.same(before, state({ socialEnergy: 100, interactionFatigue: 5 }), 'the input is not modified')
  })

  t.test('less than a period changes nothing but updatedAt', async (t) => {
    const after = regenerate(state({ socialEnergy: 100, interactionFatigue: 5 }), ms(T0) + 59 * SEC, rules)
    t.equal(after.socialEnergy, 100)
    t.equal(after.interactionFatigue, 5)
    t.equal(after.updatedAt, ms(T0) + 59 * SEC)
  })

  t.test('a step is counted per minute boundary crossed', async (t) => {
    // 2 seconds across a minute boundary: one energy point
    const across = regenerate(state({ socialEnergy: 100, updatedAt: ms(T0 + 59) }), ms(T0 + 61), rules)
    t.equal(across.socialEnergy, 101, '0:59 -> 1:01 crosses one boundary')
    // 58 seconds inside one minute: nothing
    const inside = regenerate(state({ socialEnergy: 100, updatedAt: ms(T0 + 1) }), ms(T0 + 59), rules)
    t.equal(inside.socialEnergy, 100, '0:01 -> 0:59 crosses none')
    // fatigue: a boundary every 300 s
    const fAcross = regenerate(state({ interactionFatigue: 3, updatedAt: ms(T0 + 299) }), ms(T0 + 301), rules)
    t.equal(fAcross.interactionFatigue, 2, '4:59 -> 5:01 crosses one fatigue boundary')
    const fInside = regenerate(state({ interactionFatigue: 3, updatedAt: ms(T0 + 1) }), ms(T0 + 299), rules)
    t.equal(fInside.interactionFatigue, 3, '0:01 -> 4:59 crosses none')
  })

  t.test('energy is capped at the maximum 200', async (t) => {
    const after = regenerate(state({ socialEnergy: 195 }), ms(T0) + 10 * MIN, rules)
    t.equal(after.socialEnergy, 200, '195 + 10 capped at 200')
    const full = regenerate(state({ socialEnergy: 200 }), ms(T0) + 60 * MIN, rules)
    t.equal(full.socialEnergy, 200, 'stays at 200')
    const lowerMax = regenerate(state({ socialEnergy: 95 }), ms(T0) + 10 * MIN, { ...rules, maxSocialEnergy: 100 })
    t.equal(lowerMax.socialEnergy, 100, 'the cap comes from the rules')
  })

  t.test('available time: +10 s per minute boundary, capped at the maximum 600', async (t) => {
    const across = regenerate(state({ availableTime: 100, updatedAt: ms(T0 + 59) }), ms(T0 + 61), rules)
    t.equal(across.availableTime, 110, '0:59 -> 1:01 crosses one boundary')
    const inside = regenerate(state({ availableTime: 100, updatedAt: ms(T0 + 1) }), ms(T0 + 59), rules)
    t.equal(inside.availableTime, 100, '0:01 -> 0:59 crosses none')
    t.equal(regenerate(state({ availableTime: 0 }), ms(T0) + 3 * MIN, rules).availableTime, 30, 'a talked-out persona gets time back')
    t.equal(regenerate(state({ availableTime: 580 }), ms(T0) + 10 * MIN, rules).availableTime, 600, '580 + 100 capped at 600')
    t.equal(regenerate(state({ availableTime: 900 }), ms(T0) + 10 * MIN, rules).availableTime, 900, 'above the cap: never reduced')
    t.equal(regenerate(state({ availableTime: 5 }), ms(T0) + 60 * MIN, original).availableTime, 5, 'original rules: stays put')
  })

  t.test('fatigue is floored at 0', async (t) => {
    const after = regenerate(state({ interactionFatigue: 1 }), ms(T0) + 20 * MIN, rules)
    t.equal(after.interactionFatigue, 0, '1 - 4 floored at 0')
    const zero = regenerate(state({ interactionFatigue: 0 }), ms(T0) + 60 * MIN, rules)
    t.equal(zero.interactionFatigue, 0)
  })

  t.test('a long gap (a restart) recovers everything due', async (t) => {
    const after = regenerate(state({ socialEnergy: 20, interactionFatigue: 30 }), ms(T0) + 2 * 60 * MIN, rules)
    t.equal(after.socialEnergy, 140, '2 h: +120 energy')
    t.equal(after.interactionFatigue, 6, '2 h: -24 fatigue')
  })

  t.test('nothing happens when now <= updatedAt', async (t) => {
    const before = state({ socialEnergy: 50, interactionFatigue: 5, updatedAt: ms(T0) + 10 * MIN })
    const same = regenerate(before, ms(T0) + 10 * MIN, rules)
    t.same(same, before, 'now == updatedAt: unchanged')
    const earlier = regenerate(before, ms(T0), rules)
    t.same(earlier, before, 'clock went back: unchanged')
    t.equal(earlier.updatedAt, ms(T0) + 10 * MIN, 'updatedAt never moves backwards')
  })

  t.test('periods come from the rules', async (t) => {
    const fast: StateRules = { ...rules, energyRegenSeconds: 10, fatigueRecoverySeconds: 60 }
    const after = regenerate(state({ socialEnergy: 100, interactionFatigue: 20 }), ms(T0) + 10 * MIN, fast)
    t.equal(after.socialEnergy, 160)
    t.equal(after.interactionFatigue, 10)
  })

  t.test('running every 60 s for 10 minutes equals one run after 10 minutes', async (t) => {
    // The earlier server ran regeneration every minute and computed e // 300 each time, so fatigue never recovered.
    for (const offset of [0, 17, 59, 123.456]) {
      const start = state({ socialEnergy: 100, interactionFatigue: 5, updatedAt: ms(T0 + offset) })
      const end = start.updatedAt + 10 * MIN
      let looped = start
      for (let now = start.updatedAt + MIN; now <= end; now += MIN) looped = regenerate(looped, now, rules)
      const once = regenerate(start, end, rules)
      t.same(looped, once, `start at +${offset} s: the loop and the single run agree`)
      t.equal(looped.interactionFatigue, 3, `start at +${offset} s: fatigue 5 -> 3 under the loop`)
      t.equal(looped.socialEnergy, 110, `start at +${offset} s: energy 100 -> 110 under the loop`)
      t.equal(looped.availableTime, 400, `start at +${offset} s: time 300 -> 400 under the loop`)
    }
  })

  t.test('irregular run times do not lose or gain progress', async (t) => {
    const start = state({ socialEnergy: 20, interactionFatigue: 12, updatedAt: ms(T0 + 7) })
    const gaps = [1, 13, 61, 59, 300, 0.5, 299, 45, 600, 2, 1200]
    let looped = start
    let now = start.updatedAt
    for (const gap of gaps) {
      now += gap * SEC
      looped = regenerate(looped, now, rules)
    }
    t.same(looped, regenerate(start, now, rules))
  })
})

t.test('secondsUntilAvailable', async (t) => {
  const now = ms(T0 + 17)
  t.equal(secondsUntilAvailable(state(), now, rules), 0, 'available now: 0')
  t.equal(secondsUntilAvailable(state({ cooldownUntil: T0 + 17 + 120 }), now, rules), 120, 'only a cooldown: its remaining seconds')
  t.equal(secondsUntilAvailable(state({ availableTime: 30 }), now, original), Number.POSITIVE_INFINITY,
    'out of time and time never regenerates: never')

  // whatever is short, waiting the answer and regenerating makes the persona available (retry_after is honest)
  const cases: Array<[string, Partial<InteractionState>]> = [
    ['cooldown', { cooldownUntil: T0 + 17 + 95.5 }],
    ['energy exactly at the minimum', { socialEnergy: 10 }],
    ['no energy', { socialEnergy: 0 }],
    ['time exactly at the minimum', { availableTime: 30 }],
    ['no time', { availableTime: 0 }],
    ['everything short', { cooldownUntil: T0 + 17 + 30, socialEnergy: 3, availableTime: 12 }],
  ]
  for (const [name, patch] of cases) {
    const s = state({ ...patch, updatedAt: now })
    t.equal(isAvailable(s, now, rules), false, `${name}: unavailable now`)
    const wait = secondsUntilAvailable(s, now, rules)
    t.ok(Number.isFinite(wait) && wait > 0, `${name}: a finite positive wait (${wait} s)`)
    const later = now + wait * SEC
    t.equal(isAvailable(regenerate(s, later, rules), later, rules), true, `${name}: available after ${wait} s`)
  }
})

t.test('applyUserChat: the section-4 cost, never past availability', async (t) => {
  const chat = { ...rules, userChatFatigueCap: 30 }
  const now = ms(T0)
  t.same(applyUserChat(state(), 30, chat), applyFatigue(state(), 30), 'far from every bound: the same cost as a persona turn')

  // Kira after her defaults: 300 s of time, 30 s a turn. The old rule made her unavailable after 9 chats.
  let kira = state({ socialEnergy: 80, availableTime: 300 })
  for (let i = 0; i < 500; i++) kira = applyUserChat(kira, 30, chat)
  t.equal(kira.availableTime, 31, 'time stops just above the minimum')
  t.equal(kira.interactionFatigue, 30, 'fatigue stops at the cap')
  t.equal(isAvailable(kira, now, rules), true, 'still available after 500 chats')

  const slow = applyUserChat(state({ socialEnergy: 12 }), 600, chat)
  t.equal(slow.socialEnergy, 11, 'energy stops just above the minimum')
  t.equal(applyFatigue(state({ socialEnergy: 12 }), 600).socialEnergy, 2, '(where a persona turn would take it to 2)')

  const drained = state({ socialEnergy: 4, availableTime: 12, interactionFatigue: 80 })
  const after = applyUserChat(drained, 90, chat)
  t.same([after.socialEnergy, after.availableTime, after.interactionFatigue], [4, 12, 80],
    'a state already past the bounds (persona-to-persona talk) is neither worsened nor repaired')
})

t.test('conditionOf and replyTokenBudget', async (t) => {
  const now = ms(T0)
  const fresh = conditionOf(state(), now, rules)
  t.same(fresh, { state: 'fresh', flags: [], note: null, replyBudgetFactor: 1 }, 'the default state')
  t.equal(replyTokenBudget(500, fresh), 500, 'fresh: the whole budget')

  const cases: Array<[string, Partial<InteractionState>, string[], number]> = [
    ['fatigue 9 is not yet tired', { interactionFatigue: 9 }, [], 1],
    ['tired', { interactionFatigue: 10 }, ['tired'], 0.8],
    ['short of time under 60 s', { availableTime: 59 }, ['short_of_time'], 0.6],
    ['60 s is enough', { availableTime: 60 }, [], 1],
    ['low energy under 30', { socialEnergy: 29 }, ['low_energy'], 0.6],
    ['resting in a cooldown', { cooldownUntil: T0 + 1 }, ['resting'], 0.7],
    ['exhausted at the energy minimum', { socialEnergy: 10 }, ['exhausted', 'low_energy'], 0.24],
    ['exhausted at the time minimum', { availableTime: 30 }, ['exhausted', 'short_of_time'], 0.24],
    ['tired and short of time', { interactionFatigue: 30, availableTime: 31 }, ['short_of_time', 'tired'], 0.48],
  ]
  for (const [name, patch, flags, factor] of cases) {
    const c = conditionOf(state(patch), now, rules)
    t.same(c.flags, flags, `${name}: flags`)
    t.equal(c.state, flags[0] ?? 'fresh', `${name}: the most telling one`)
    t.equal(c.replyBudgetFactor, factor, `${name}: budget factor`)
    t.equal(c.note === null, flags.length === 0, `${name}: a note exactly when something shows`)
  }
  const tiredAndBusy = conditionOf(state({ interactionFatigue: 12, availableTime: 40 }), now, rules)
  t.match(tiredAndBusy.note, /short of time[\s\S]*tired/, 'the notes of every flag, most telling first')
  t.equal(replyTokenBudget(500, tiredAndBusy), 240, '500 tokens asked, 48% given')
  t.equal(replyTokenBudget(40, { replyBudgetFactor: 0.24 }), 24, 'never below 24 tokens')
  t.equal(replyTokenBudget(10, { replyBudgetFactor: 0.24 }), 10, 'nor above a smaller request')
  t.equal(replyTokenBudget(100, { replyBudgetFactor: 1 }), 100)
})
