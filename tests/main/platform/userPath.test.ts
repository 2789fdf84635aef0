import { describe, expect, it } from 'vitest'
import { userPath } from '../../../main/platform/userPath'

describe('a path a person typed', () => {
  const home = '/home/ada'
  const cwd = '/opt/dgmw'

  it('expands ~ and ~/x to the home folder of the machine running the workbench', () => {
    expect(userPath('~', home, cwd)).toBe(home)
    expect(userPath('~/', home, cwd)).toBe(home)
    expect(userPath(' ~/data/clothes/ ', home, cwd)).toBe('/home/ada/data/clothes')
    expect(userPath('/data/../data/clothes', home, cwd)).toBe('/data/clothes')
  })

  it('refuses a relative path, saying where it would resolve', () => {
    expect(() => userPath('data/clothes', home, cwd)).toThrow(
      '"data/clothes" is relative; it would resolve to /opt/dgmw/data/clothes — give the full path (or start it with ~/ for /home/ada).'
    )
    expect(() => userPath('./x', home, cwd)).toThrow(/it would resolve to \/opt\/dgmw\/x/)
  })

  it("refuses another user's home folder rather than guessing it", () => {
    expect(() => userPath('~bob/data', home, cwd)).toThrow(
      `"~bob/data" names another user's home folder, which the workbench does not look up; give the full path.`
    )
  })
})
