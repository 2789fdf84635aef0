/** Schema pieces the requests, events and plans share; internal to the contract (index.ts leaves them out). */
import { z } from 'zod'

/** A database id: a run's, a dataset's, an experiment's. */
export const id = z.number().int().positive()
