import t from 'tap'
import { fallbackLines, fallbackMood, fallbackReply, LOW_SOCIAL_ENERGY } from '../../src/llm/fallback.ts'

const aria = { personaName: 'Aria', priority: 'social', socialEnergy: 150 }

t.test('the state picks the kind of line: urgency first, then tiredness', async (t) => {
  t.equal(fallbackMood({ ...aria, priority: 'urgent' }), 'urgent')
  t.equal(fallbackMood({ ...aria, priority: 'URGENT', socialEnergy: 5 }), 'urgent')
  t.equal(fallbackMood({ ...aria, socialEnergy: LOW_SOCIAL_ENERGY }), 'tired')
  t.equal(fallbackMood({ ...aria, socialEnergy: LOW_SOCIAL_ENERGY + 1 }), 'varied')
  t.equal(fallbackMood(undefined), 'varied')
})

t.test('lines are stable for a seed, rotate with it, and speak as the persona', async (t) => {
  t.equal(fallbackReply(aria, 3), fallbackReply(aria, 3))
  const varied = new Set([0, 1, 2, 3, 4].map((seed) => fallbackReply(aria, seed)))
  t.equal(varied.size, 5, 'five different varied lines')
  for (const line of varied) t.match(line, /Aria/)
  t.equal(fallbackReply(aria, 5), fallbackReply(aria, 0), 'the rotation wraps')
  t.equal(fallbackReply(aria, -1), fallbackReply(aria, 4), 'any integer seed works')
  t.ok(fallbackLines('tired', 'Kira').includes(fallbackReply({ personaName: 'Kira', priority: 'academic', socialEnergy: 10 }, 7)))
  t.ok(fallbackLines('urgent', 'Kira').includes(fallbackReply({ personaName: 'Kira', priority: 'urgent', socialEnergy: 80 })))
  t.match(fallbackReply(undefined), /The persona/, 'a neutral name without a hint')
})
