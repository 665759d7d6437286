import { useEffect, useState } from 'preact/hooks';
import { api, describe, openPrintable, saveFile } from '../api';
import { periodName, shanghai } from '../format';
import type { Me } from '../main';

interface Summary {
  type: string;
  title: string;
  period: string;
  scope: string;
  generatedAt: string;
}
interface Schedule {
  name: string;
  title: string;
  when: string;
  nextRuns: string[];
}

/** The bulletins and the five reports; supervisors can run a schedule now. */
export function Reports({ me }: { me: Me }) {
  const [list, setList] = useState<Summary[]>([]);
  const [schedules, setSchedules] = useState<Schedule[]>([]);
  const [open, setOpen] = useState<{ title: string; html: string } | null>(null);
  const [message, setMessage] = useState('');
  const load = () => api.get<Summary[]>('/v1/reports').then(setList, (e: unknown) => setMessage(describe(e)));
  useEffect(() => {
    void load();
    if (me.role !== 'department') api.get<Schedule[]>('/v1/schedules').then(setSchedules, () => undefined);
    // A run started here, or by a schedule, shows up without reloading.
    const timer = setInterval(load, 5_000);
    return () => clearInterval(timer);
  }, []);
  const file = (r: Summary, as: 'html' | 'docx' | 'xlsx') =>
    `/v1/reports/${r.type}/${r.period}/${as}?scope=${encodeURIComponent(r.scope)}`;
  const show = async (r: Summary) =>
    setOpen({ title: r.title, html: await api.text(`/v1/reports/${r.type}/${r.period}/html?scope=${r.scope}`) });
  const trigger = async (s: Schedule) => {
    try {
      await api.post(`/v1/schedules/${s.name}/trigger`);
      setMessage(`已启动：${s.title}，生成后显示在下方列表`);
    } catch (e) {
      setMessage(describe(e));
    }
  };
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">通报与报告</h2>
      {schedules.length > 0 && (
        <div class="scroll">
          <table>
            <caption>定时任务</caption>
            <thead>
              <tr>
                <th scope="col">任务</th>
                <th scope="col">时间</th>
                <th scope="col">下次运行</th>
                {me.role === 'supervisor' && <th scope="col">操作</th>}
              </tr>
            </thead>
            <tbody>
              {schedules.map((s) => (
                <tr>
                  <td>{s.title}</td>
                  <td>{s.when}</td>
                  <td>{shanghai(s.nextRuns[0])}</td>
                  {me.role === 'supervisor' && (
                    <td>
                      <button type="button" data-action onClick={() => trigger(s)}>
                        立即运行
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {message && <p role="status">{message}</p>}
      <div class="scroll">
        <table data-testid="reports">
          <caption>已生成的报告</caption>
          <thead>
            <tr>
              <th scope="col">报告</th>
              <th scope="col">期间</th>
              <th scope="col">生成时间</th>
              <th scope="col">文件</th>
            </tr>
          </thead>
          <tbody>
            {list.length === 0 && (
              <tr>
                <td colSpan={4} class="empty">
                  暂无报告
                </td>
              </tr>
            )}
            {list.map((r) => (
              <tr>
                <td>
                  <button type="button" class="link" onClick={() => show(r)}>
                    {r.title}
                  </button>
                </td>
                <td>{periodName(r.period)}</td>
                <td>{shanghai(r.generatedAt)}</td>
                <td class="actions">
                  <button type="button" onClick={() => openPrintable(file(r, 'html'))}>
                    打印
                  </button>{' '}
                  <button type="button" onClick={() => void saveFile(file(r, 'docx'), `${r.title}.docx`)}>
                    下载Word
                  </button>{' '}
                  <button type="button" onClick={() => void saveFile(file(r, 'xlsx'), `${r.title}.xlsx`)}>
                    下载Excel
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && <iframe class="report" title={open.title} srcdoc={open.html} />}
    </section>
  );
}
