// The demo host page: all three components, as a coordinator and as a family, in nb, nn and en.
// Plain JavaScript on purpose: it is what a host page writes, served as it is (no build step),
// and it runs under a strict Content-Security-Policy (no inline script, no inline style).

/* ------------------------------------------------------------------------------------------
 * DEMO TOKEN SOURCE — the one place this page gets its credentials.
 *
 * A real host asks ITS OWN backend, which calls `POST /v1/embed-tokens` with its API key and
 * hands the short-lived embed token to the browser. The demo asks the service's demo endpoint
 * `GET /demo/token?role=coordinator|family[&familyId=…]` → `{ token, expiresAt, familyId? }`.
 * Returns null when there is no such endpoint (the page is served without the service): the page
 * then shows the built-in sample data through the components' `data` property.
 * ------------------------------------------------------------------------------------------ */
async function getDemoToken(role, familyId) {
  const query = new URLSearchParams({ role })
  if (familyId) query.set('familyId', familyId)
  try {
    const res = await fetch(`/demo/token?${query}`, { headers: { Accept: 'application/json' } })
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return null
    const body = await res.json()
    return typeof body.token === 'string' ? body : null
  } catch {
    return null
  }
}

/** The service's base URL; empty: the same origin that served this page. */
const apiBase = ''

const words = {
  nb: {
    demo: 'demo',
    viewAs: 'Vis som',
    coordinator: 'Koordinator',
    family: 'Familie',
    language: 'Språk',
    coordinatorTitle: 'Koordinator',
    show: 'Vis',
    outcome: 'Hvordan det går',
    alliance: 'Samarbeid',
    logSession: 'Registrer samtale',
    familyTitle: 'Min framgang',
    whose: 'Hvem vil du se?',
    everyone: 'Hele familien',
    live: 'Demodata fra tjenesten.',
    sample: 'Eksempeldata i nettleseren (tjenesten svarer ikke). Ingenting lagres.',
  },
  nn: {
    demo: 'demo',
    viewAs: 'Vis som',
    coordinator: 'Koordinator',
    family: 'Familie',
    language: 'Språk',
    coordinatorTitle: 'Koordinator',
    show: 'Vis',
    outcome: 'Korleis det går',
    alliance: 'Samarbeid',
    logSession: 'Registrer samtale',
    familyTitle: 'Min framgang',
    whose: 'Kven vil du sjå?',
    everyone: 'Heile familien',
    live: 'Demodata frå tenesta.',
    sample: 'Eksempeldata i nettlesaren (tenesta svarer ikkje). Ingenting blir lagra.',
  },
  en: {
    demo: 'demo',
    viewAs: 'View as',
    coordinator: 'Coordinator',
    family: 'Family',
    language: 'Language',
    coordinatorTitle: 'Coordinator',
    show: 'Show',
    outcome: 'Outcome',
    alliance: 'Alliance',
    logSession: 'Log a session',
    familyTitle: 'My progress',
    whose: 'Whose chart?',
    everyone: 'The whole family',
    live: 'Demo data from the service.',
    sample: 'Sample data in the browser (the service is not answering). Nothing is saved.',
  },
}

const $ = (id) => document.getElementById(id)
const caseload = $('caseload')
const coordinatorProgress = $('coordinator-progress')
const sessionForm = $('session-form')
const familyProgress = $('family-progress')
const memberSelect = $('member')

const state = {
  role: 'coordinator',
  lang: 'nb',
  familyId: null,
  coordinatorView: 'outcome',
  sample: null,
  family: null,
}

function say(key) {
  return words[state.lang][key]
}

function applyWords() {
  document.documentElement.lang = state.lang
  document.title = `Framgang – ${say('demo')}`
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = say(el.dataset.text)
  $('source').textContent = state.sample ? say('sample') : say('live')
  fillMemberSelect()
}

function fillMemberSelect() {
  const members = state.family?.members ?? []
  const chosen = memberSelect.value
  memberSelect.replaceChildren(new Option(say('everyone'), ''), ...members.map((m) => new Option(m.alias, m.id)))
  memberSelect.value = members.some((m) => m.id === chosen) ? chosen : ''
}

/** Every component that talks to the service, with the role each one needs. */
const coordinatorElements = [caseload, coordinatorProgress, sessionForm]

async function connectCoordinator() {
  const grant = await getDemoToken('coordinator')
  if (!grant) return false
  for (const el of coordinatorElements) {
    el.apiBase = apiBase
    el.token = grant.token
  }
  return true
}

async function connectFamily() {
  if (state.sample || !state.familyId) return
  const grant = await getDemoToken('family', state.familyId)
  if (!grant) return
  const familyId = grant.familyId ?? state.familyId
  familyProgress.apiBase = apiBase
  familyProgress.token = grant.token
  familyProgress.familyId = familyId
  // The member list for "whose chart?": a family token may read its own family.
  const res = await fetch(`${apiBase}/v1/families/${encodeURIComponent(familyId)}`, {
    headers: { Authorization: `Bearer ${grant.token}`, Accept: 'application/json' },
  })
  if (res.ok) {
    state.family = await res.json()
    fillMemberSelect()
  }
}

// A 401 means the token ran out: fetch a fresh one; the component retries by itself.
for (const el of [...coordinatorElements, familyProgress]) {
  el.addEventListener('framgang-token-expired', async () => {
    const grant = await getDemoToken(el === familyProgress ? 'family' : 'coordinator', state.familyId ?? undefined)
    if (grant) el.token = grant.token
  })
}

function chooseFamily(familyId) {
  state.familyId = familyId
  if (state.sample) {
    const known = familyId === state.sample.progress.familyId
    coordinatorProgress.data = known ? state.sample.progress : { familyId, members: [], flags: [] }
    familyProgress.data = coordinatorProgress.data
    sessionForm.data = known ? state.sample.family : { ...state.sample.family, id: familyId, members: [] }
    state.family = sessionForm.data
    fillMemberSelect()
    return
  }
  coordinatorProgress.familyId = familyId
  sessionForm.familyId = familyId
}

caseload.addEventListener('framgang-family-selected', (e) => chooseFamily(e.detail.familyId))
caseload.addEventListener('framgang-loaded', () => {
  if (!state.familyId && caseload.items.length) chooseFamily(caseload.items[0].familyId)
})
sessionForm.addEventListener('framgang-loaded', () => {
  if (!state.sample) {
    state.family = sessionForm.family
    fillMemberSelect()
  }
})
// After a session is saved the chart and the caseload should show it.
sessionForm.addEventListener('framgang-session-saved', () => {
  void coordinatorProgress.refresh()
  void caseload.refresh()
})

function showRole() {
  $('coordinator-view').hidden = state.role !== 'coordinator'
  $('family-view').hidden = state.role !== 'family'
  if (state.role === 'family') {
    // On a coordinator payload (sample mode) view="family" gives the family's words and nothing more.
    familyProgress.view = state.sample ? 'family' : ''
    void connectFamily()
  }
}

function showCoordinatorView() {
  const form = state.coordinatorView === 'form'
  coordinatorProgress.hidden = form
  sessionForm.hidden = !form
  coordinatorProgress.view = form ? 'outcome' : state.coordinatorView
}

$('switches').addEventListener('change', (e) => {
  const input = e.target
  if (input.name === 'role') state.role = input.value
  if (input.name === 'lang') state.lang = input.value
  applyWords()
  showRole()
})
for (const input of document.querySelectorAll('input[name="coordinator-view"]')) {
  input.addEventListener('change', () => {
    state.coordinatorView = input.value
    showCoordinatorView()
  })
}
memberSelect.addEventListener('change', () => {
  familyProgress.memberId = memberSelect.value
})

async function start() {
  const live = await connectCoordinator()
  if (!live) {
    const res = await fetch('/demo/sample.json')
    state.sample = await res.json()
    caseload.data = state.sample.caseload
    chooseFamily(state.sample.caseload.items[0].familyId)
  }
  applyWords()
  showRole()
  showCoordinatorView()
}

void start()
