import { Chart, Filler, LinearScale, LineController, LineElement, PointElement } from 'chart.js'

/** Only what a line chart on linear axes with filled bands needs (keeps the bundle small); the tooltip is our own HTML. */
Chart.register(LineController, LineElement, PointElement, LinearScale, Filler)

export { Chart }
